using System.Text.Json.Nodes;

namespace PartnerPush;

/// <summary>Plausible interim managers as a partner network would describe them (schema 1.0).</summary>
public static class SampleCandidates
{
    private static readonly string[] FirstNames = ["Astrid", "Lars", "Ingrid", "Erik", "Sofie", "Jan", "Maria", "Pieter", "Anouk", "Nils", "Karin", "Lieve", "Bram", "Helga", "Olav"];
    private static readonly string[] LastNames = ["Berg", "Holm", "Dahl", "Lind", "Jansen", "de Vries", "Peeters", "Andersen", "Nilsson", "Aas", "Visser", "Claes", "Solberg", "Ek"];
    private static readonly (string Country, string City, string Language)[] Places = [("SE", "Göteborg", "sv"), ("NO", "Oslo", "no"), ("NL", "Utrecht", "nl"), ("BE", "Gent", "nl"), ("DK", "Aarhus", "da"), ("FI", "Tampere", "fi")];
    private static readonly string[] Levels = ["executive", "senior-management", "middle-management", "project-lead"];
    private static readonly string[] Disciplines = ["general-management", "finance", "hr", "it", "operations", "sales", "marketing", "supply-chain", "product-management", "process-management"];
    private static readonly string[] Industries = ["manufacturing", "energy", "retail", "logistics", "healthcare", "public sector", "financial services", "telecom"];
    private static readonly string[] Skills = ["erp migration", "sap", "lean", "ifrs", "restructuring", "m&a integration", "cloud migration", "carve-out", "pricing", "change management", "cost reduction", "agile"];
    private static readonly string[] Types = ["gap-cover", "project-leadership", "transformation", "change", "crisis", "expertise"];

    /// <summary>An upsert message for person number <paramref name="index"/>; the same index always describes the same person.</summary>
    public static JsonObject Upsert(string partnerId, int index, DateTimeOffset sentAt)
    {
        var random = new Random(index);
        var place = Places[random.Next(Places.Length)];
        var first = FirstNames[random.Next(FirstNames.Length)];
        var last = LastNames[random.Next(LastNames.Length)];
        var level = random.Next(Levels.Length);
        return Envelope(partnerId, "upsert", sentAt, new JsonObject
        {
            ["partnerPersonId"] = $"{partnerId}-{index:D7}",
            ["fullName"] = $"{first} {last}",
            ["email"] = $"{first}.{last}.{index}@{partnerId}.example".Replace(' ', '-').ToLowerInvariant(),
            ["location"] = new JsonObject { ["country"] = place.Country, ["city"] = place.City, ["willingToTravel"] = random.Next(2) == 0, ["willingToRelocate"] = random.Next(4) == 0, ["remotePossible"] = random.Next(2) == 0 },
            ["languages"] = new JsonArray(new JsonObject { ["code"] = place.Language, ["level"] = "native" }, new JsonObject { ["code"] = "en", ["level"] = "fluent" }),
            ["levels"] = new JsonArray([.. Levels.Skip(level).Take(2).Select(l => JsonValue.Create(l))]),
            ["disciplines"] = new JsonArray(JsonValue.Create(Disciplines[random.Next(Disciplines.Length)])),
            ["industries"] = new JsonArray(JsonValue.Create(Industries[random.Next(Industries.Length)]), JsonValue.Create(Industries[random.Next(Industries.Length)])),
            ["skills"] = new JsonArray([.. Enumerable.Range(0, 3).Select(_ => JsonValue.Create(Skills[random.Next(Skills.Length)]))]),
            ["engagementTypes"] = new JsonArray(JsonValue.Create(Types[random.Next(Types.Length)])),
            ["trackRecord"] = new JsonArray(new JsonObject
            {
                ["sector"] = Industries[random.Next(Industries.Length)],
                ["role"] = "Interim manager",
                ["engagementType"] = Types[random.Next(Types.Length)],
                ["level"] = Levels[level],
                ["months"] = 3 + random.Next(18),
                ["outcome"] = "achieved",
                ["clientRating"] = 3 + random.Next(3),
            }),
            ["dayRate"] = new JsonObject { ["amount"] = 700 + (random.Next(15) * 100), ["currency"] = "EUR" },
            ["availability"] = new JsonObject { ["availableFrom"] = DateOnly.FromDateTime(sentAt.UtcDateTime.AddDays(random.Next(90))).ToString("yyyy-MM-dd"), ["noticeDays"] = random.Next(4) * 7, ["daysPerWeek"] = 5 },
            ["summary"] = $"{Levels[level]} interim leader, {10 + random.Next(25)} years of experience.",
            ["lawfulBasis"] = new JsonObject { ["basis"] = "consent", ["recordedOn"] = DateOnly.FromDateTime(sentAt.UtcDateTime.AddDays(-30)).ToString("yyyy-MM-dd") },
        });
    }

    /// <summary>The partner no longer shares the person.</summary>
    public static JsonObject Withdraw(string partnerId, int index, DateTimeOffset sentAt) =>
        Envelope(partnerId, "withdraw", sentAt, new JsonObject { ["partnerPersonId"] = $"{partnerId}-{index:D7}" });

    private static JsonObject Envelope(string partnerId, string kind, DateTimeOffset sentAt, JsonObject candidate) => new()
    {
        ["messageId"] = Guid.NewGuid().ToString(),
        ["partnerId"] = partnerId,
        ["sentAt"] = sentAt.ToString("O"),
        ["schemaVersion"] = "1.0",
        ["kind"] = kind,
        ["candidate"] = candidate,
    };
}
