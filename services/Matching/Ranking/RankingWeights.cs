using System.Collections.Frozen;

namespace InterimPlatform.Matching.Ranking;

/// <summary>The criteria a candidate is scored on, in the order explanations list them.</summary>
public enum Criterion
{
    Availability,
    Level,
    Discipline,
    Industry,
    Skills,
    EngagementType,
    Location,
    Languages,
    DayRate,
    TrackRecord,
}

/// <summary>How much each criterion counts (non-negative integers; only their proportions matter).</summary>
public sealed class CriterionWeights
{
    public int Availability { get; set; }
    public int Level { get; set; }
    public int Discipline { get; set; }
    public int Industry { get; set; }
    public int Skills { get; set; }
    public int EngagementType { get; set; }
    public int Location { get; set; }
    public int Languages { get; set; }
    public int DayRate { get; set; }
    public int TrackRecord { get; set; }

    /// <summary>Days late after the wanted start at which the availability points reach zero.</summary>
    public int AvailabilityToleranceDays { get; set; } = 30;

    internal int[] ToArray() => [Availability, Level, Discipline, Industry, Skills, EngagementType, Location, Languages, DayRate, TrackRecord];
}

/// <summary>
/// The weights Matching ranks with, from the <c>Matching:Weights</c> configuration section. A version names
/// each set: every stored shortlist records the version and the weights it was ranked with, so a ranking
/// can be explained after the configuration moved on. Change the version whenever a value changes.
/// </summary>
public sealed class RankingWeights
{
    public string Version { get; set; } = "";

    /// <summary>Weights for an engagement type that has no entry of its own.</summary>
    public CriterionWeights Default { get; set; } = new();

    /// <summary>Per engagement type (gap-cover, crisis …): a complete set that replaces <see cref="Default"/>.</summary>
    public Dictionary<string, CriterionWeights> EngagementTypes { get; set; } = [];

    /// <summary>Euros per unit of each currency, to compare a day rate with a budget in another currency.</summary>
    public Dictionary<string, decimal> EurPerUnit { get; set; } = [];

    public CriterionWeights For(string engagementType) => EngagementTypes.GetValueOrDefault(engagementType) ?? Default;

    /// <summary>
    /// The weights shipped with the platform. Being available now counts most for gap cover and crisis,
    /// skills for project leadership and expertise, experience of the same kind of engagement and its
    /// outcomes for transformation and change.
    /// </summary>
    public static RankingWeights Standard { get; } = new()
    {
        Version = "2026-11-23.1",
        Default = new() { Availability = 20, Level = 15, Discipline = 15, Industry = 10, Skills = 15, EngagementType = 10, Location = 10, Languages = 5, DayRate = 10, TrackRecord = 10 },
        EngagementTypes = new()
        {
            ["gap-cover"] = new() { Availability = 35, Level = 15, Discipline = 15, Industry = 5, Skills = 10, EngagementType = 5, Location = 10, Languages = 5, DayRate = 10, TrackRecord = 5, AvailabilityToleranceDays = 14 },
            ["crisis"] = new() { Availability = 35, Level = 15, Discipline = 10, Industry = 5, Skills = 10, EngagementType = 15, Location = 5, Languages = 5, DayRate = 5, TrackRecord = 15, AvailabilityToleranceDays = 14 },
            ["project-leadership"] = new() { Availability = 15, Level = 10, Discipline = 10, Industry = 10, Skills = 25, EngagementType = 10, Location = 10, Languages = 5, DayRate = 10, TrackRecord = 10 },
            ["expertise"] = new() { Availability = 10, Level = 10, Discipline = 15, Industry = 15, Skills = 25, EngagementType = 5, Location = 5, Languages = 5, DayRate = 10, TrackRecord = 10 },
            ["transformation"] = new() { Availability = 10, Level = 15, Discipline = 10, Industry = 10, Skills = 10, EngagementType = 20, Location = 5, Languages = 5, DayRate = 5, TrackRecord = 20, AvailabilityToleranceDays = 45 },
            ["change"] = new() { Availability = 10, Level = 15, Discipline = 10, Industry = 10, Skills = 10, EngagementType = 20, Location = 5, Languages = 5, DayRate = 5, TrackRecord = 20, AvailabilityToleranceDays = 45 },
        },
        EurPerUnit = new() { ["EUR"] = 1m, ["GBP"] = 1.17m, ["CHF"] = 1.06m, ["USD"] = 0.92m, ["SEK"] = 0.087m, ["NOK"] = 0.085m, ["DKK"] = 0.134m, ["PLN"] = 0.23m },
    };

    /// <summary>What is wrong with these weights; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Version))
        {
            problems.Add("Matching:Weights:Version is required: stored shortlists record it.");
        }

        foreach (var (name, weights) in EngagementTypes.Prepend(new("Default", Default)))
        {
            var values = weights.ToArray();
            if (values.Any(v => v is < 0 or > 1000))
            {
                problems.Add($"Matching:Weights:{name}: every weight must be between 0 and 1000.");
            }

            if (weights.Availability + weights.Level + weights.Discipline + weights.EngagementType + weights.TrackRecord == 0)
            {
                problems.Add($"Matching:Weights:{name}: at least one of the criteria that always apply (availability, level, discipline, engagement type, track record) needs a weight.");
            }

            if (weights.AvailabilityToleranceDays is < 1 or > 365)
            {
                problems.Add($"Matching:Weights:{name}: AvailabilityToleranceDays must be between 1 and 365.");
            }
        }

        problems.AddRange(EurPerUnit.Where(r => r.Value <= 0).Select(r => $"Matching:Weights:EurPerUnit:{r.Key} must be positive."));
        return problems;
    }

    internal FrozenDictionary<string, long> EurMicrosPerUnit() =>
        EurPerUnit.ToFrozenDictionary(r => r.Key.Trim().ToUpperInvariant(), r => (long)Math.Round(r.Value * 1_000_000m, MidpointRounding.AwayFromZero), StringComparer.Ordinal);
}
