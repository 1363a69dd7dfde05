namespace InterimPlatform.Matching.Pool;

/// <summary>
/// A placement as Engagements announced it. The "placed" and "ended" events travel separately and may
/// arrive in either order, so each fills in its own half of the row.
/// </summary>
public sealed class PlacementRecord
{
    public Guid PlacementId { get; init; }

    public Guid EngagementId { get; set; }

    public Guid CandidateId { get; set; }

    /// <summary>Null until the "placed" event arrived.</summary>
    public DateOnly? FirstDay { get; set; }

    public DateOnly? LastDay { get; set; }

    /// <summary>Set when the placement ended early (replaced, cancelled) or was completed.</summary>
    public DateOnly? EndedOn { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The days the person is actually taken; null when it never took (or is not known yet).</summary>
    public Ranking.Placement? Period()
    {
        if (FirstDay is not { } first || LastDay is not { } last)
        {
            return null;
        }

        var end = EndedOn is { } ended && ended < last ? ended : last;
        return end < first ? null : new Ranking.Placement(EngagementId, first, end);
    }
}
