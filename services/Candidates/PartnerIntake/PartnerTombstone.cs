namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>
/// Remembers that a partner's person was withdrawn or erased, keyed only by the partner's pseudonymous
/// ids: a partner message about that person sent before <see cref="Cutoff"/> predates the erasure and is
/// ignored, so a late or reordered message cannot bring the person's data back.
/// </summary>
public sealed class PartnerTombstone
{
    public required string PartnerId { get; init; }

    public required string PartnerPersonId { get; init; }

    public DateTimeOffset Cutoff { get; set; }
}
