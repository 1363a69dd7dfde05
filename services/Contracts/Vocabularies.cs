namespace InterimPlatform.Contracts;

/// <summary>The controlled vocabularies every service shares, in their API spelling (kebab-case).</summary>
public static class Vocabularies
{
    /// <summary>From the top down.</summary>
    public static readonly IReadOnlyList<string> Levels = ["executive", "senior-management", "middle-management", "project-lead"];

    public static readonly IReadOnlyList<string> Disciplines =
    [
        "general-management", "finance", "hr", "it", "operations", "sales", "marketing", "supply-chain",
        "product-management", "process-management", "back-office", "legal", "engineering", "procurement",
    ];

    /// <summary>The briefs of the seeds: gap cover, project leadership, transformation, change, crisis, expertise.</summary>
    public static readonly IReadOnlyList<string> EngagementTypes = ["gap-cover", "project-leadership", "transformation", "change", "crisis", "expertise"];

    /// <summary>From the best down.</summary>
    public static readonly IReadOnlyList<string> LanguageLevels = ["native", "fluent", "professional", "basic"];

    /// <summary>How an assignment ended, from the best down.</summary>
    public static readonly IReadOnlyList<string> Outcomes = ["exceeded", "achieved", "partly-achieved", "not-achieved", "ended-early"];
}
