namespace InterimPlatform.Matching.Pool;

/// <summary>Matching's own copy of what it needs to know about a candidate, fed by Candidates' events.</summary>
public sealed class CandidateProfile
{
    public Guid CandidateId { get; init; }

    public required string FullName { get; set; }

    public required string Country { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>When Matching last applied an event about this candidate.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
