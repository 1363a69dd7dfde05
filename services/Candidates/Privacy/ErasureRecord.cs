namespace InterimPlatform.Candidates.Privacy;

/// <summary>
/// What the law lets us keep after an erasure: that it happened, when, at whose request and on what
/// ground. No personal data: the candidate id links to nothing once the person's data is gone.
/// </summary>
public sealed class ErasureRecord
{
    public Guid CandidateId { get; init; }

    public DateTimeOffset ErasedAt { get; init; }

    public required string ErasedBy { get; init; }

    public required string Ground { get; init; }
}
