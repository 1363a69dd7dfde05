using InterimPlatform.Candidates.Profiles;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>Realistic candidate profiles for tests.</summary>
public static class CandidateSamples
{
    public static CandidateInput Cfo(string fullName = "Astrid Berg", string? email = "astrid.berg@example.se", string country = "SE") => new(
        fullName,
        email,
        "+46 70 123 45 67",
        new LocationInput(country, "Göteborg", WillingToTravel: true, WillingToRelocate: false, RemotePossible: true),
        [new LanguageInput("sv", "native"), new LanguageInput("en", "fluent")],
        ["executive", "senior-management"],
        ["finance"],
        ["manufacturing"],
        ["erp migration", "cash management"],
        ["crisis", "gap-cover"],
        [new AssignmentInput("manufacturing", "Interim CFO", "crisis", "executive", 9, "achieved", 5, new DateOnly(2025, 6, 30))],
        new RateInput(1400, "EUR"),
        new AvailabilityInput(new DateOnly(2026, 12, 1), null, 14),
        "Turnaround CFO, twenty years in manufacturing.",
        new PrivacyInput("consent", new DateOnly(2026, 11, 1), null));
}
