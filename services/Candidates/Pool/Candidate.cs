namespace InterimPlatform.Candidates.Pool;

/// <summary>An interim manager in the agency's pool.</summary>
public sealed class Candidate
{
    public const int MaxNameLength = 200;
    public const int MaxEmailLength = 320;
    public const int MaxSummaryLength = 4000;

    public Guid Id { get; init; }

    public required string FullName { get; set; }

    public required string Email { get; set; }

    /// <summary>ISO 3166-1 alpha-2 country of residence.</summary>
    public required string Country { get; set; }

    public string? Summary { get; set; }

    public DateTimeOffset RegisteredAt { get; init; }
}
