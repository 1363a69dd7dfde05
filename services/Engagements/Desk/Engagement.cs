namespace InterimPlatform.Engagements.Desk;

/// <summary>A client's need for an interim manager, from the first draft of the brief to handover.</summary>
public sealed class Engagement
{
    public const int MaxTitleLength = 200;
    public const int MaxClientNameLength = 200;

    public Guid Id { get; init; }

    public required string Title { get; set; }

    public required string ClientName { get; set; }

    /// <summary>Lifecycle state; every engagement starts as a draft.</summary>
    public string State { get; set; } = "Draft";

    public DateTimeOffset CreatedAt { get; init; }
}
