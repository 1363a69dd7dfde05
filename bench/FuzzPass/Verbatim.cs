using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>
/// Hostile strings that are valid data (SQL and script injection, awkward Unicode) stored through the gateway
/// and read back: each must come back byte for byte as it was sent (lists are lower-cased by design, so the
/// strings put in lists are sent lower-case already).
/// </summary>
internal sealed class Verbatim(HttpClient http, FuzzTarget platform, Tally tally)
{
    public int Checked { get; private set; }

    public List<string> Mismatches { get; } = [];

    public int Records { get; private set; }

    public async Task RunAsync()
    {
        var index = 0;
        foreach (var text in Hostile.All)
        {
            index++;
            var listItem = text.ToLowerInvariant();
            var candidate = new JsonObject
            {
                ["fullName"] = text,
                ["email"] = $"verbatim-{index}@example.com",
                ["phone"] = text.Length <= 40 ? text : "+46 8 123 456 00", // phones are at most 40 characters
                ["location"] = new JsonObject { ["country"] = "SE", ["city"] = text, ["willingToTravel"] = true, ["willingToRelocate"] = false, ["remotePossible"] = true },
                ["skills"] = new JsonArray(listItem),
                ["industries"] = new JsonArray(listItem),
                ["trackRecord"] = new JsonArray(new JsonObject
                {
                    ["sector"] = text, ["role"] = text, ["engagementType"] = "crisis", ["level"] = "executive", ["months"] = 6, ["outcome"] = "achieved", ["clientRating"] = 4, ["endedOn"] = "2026-06-30",
                }),
                ["summary"] = text,
                ["privacy"] = new JsonObject { ["lawfulBasis"] = "consent", ["recordedOn"] = "2026-10-01" },
            };
            try
            {
                await RoundTripAsync(index, text, candidate);
            }
            catch (InvalidOperationException e)
            {
                // Valid data refused is as wrong as valid data changed.
                Mismatches.Add(e.Message);
            }
        }
    }

    private async Task RoundTripAsync(int index, string text, JsonObject candidate)
    {
        var listItem = text.ToLowerInvariant();
        var id = (await PostAsync("/api/candidates", candidate)).GetProperty("id").GetGuid();
        var stored = await GetAsync($"/api/candidates/{id}");
        Expect("candidate.fullName", text, stored.GetProperty("fullName"));
        Expect("candidate.phone", candidate["phone"]!.GetValue<string>(), stored.GetProperty("phone"));
        Expect("candidate.location.city", text, stored.GetProperty("location").GetProperty("city"));
        Expect("candidate.summary", text, stored.GetProperty("summary"));
        Expect("candidate.skills[0]", listItem, stored.GetProperty("skills")[0]);
        Expect("candidate.industries[0]", listItem, stored.GetProperty("industries")[0]);
        Expect("candidate.trackRecord[0].sector", text, stored.GetProperty("trackRecord")[0].GetProperty("sector"));
        Expect("candidate.trackRecord[0].role", text, stored.GetProperty("trackRecord")[0].GetProperty("role"));

        var client = (await PostAsync("/api/engagements/clients", new JsonObject { ["name"] = text, ["industry"] = listItem })).GetProperty("id").GetGuid();
        var contact = (await PostAsync($"/api/engagements/clients/{client}/contacts", new JsonObject
        {
            ["name"] = text, ["role"] = text, ["email"] = $"verbatim-{index}@client.example", ["phone"] = candidate["phone"]!.GetValue<string>(), ["hasAuthority"] = true,
        })).GetProperty("id").GetGuid();
        var storedClient = await GetAsync($"/api/engagements/clients/{client}");
        Expect("client.name", text, storedClient.GetProperty("name"));
        Expect("client.industry", listItem, storedClient.GetProperty("industry"));
        var storedContact = storedClient.GetProperty("contacts").EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == contact);
        Expect("contact.name", text, storedContact.GetProperty("name"));
        Expect("contact.role", text, storedContact.GetProperty("role"));

        var engagement = (await PostAsync("/api/engagements", new JsonObject
        {
            ["clientId"] = client.ToString(),
            ["title"] = text,
            ["situation"] = text,
            ["sponsorContactId"] = contact.ToString(),
            ["exitPlan"] = text,
            ["brief"] = JsonNode.Parse("""
                {"engagementType":"crisis","level":"senior-management","discipline":"finance","industry":null,"country":"SE","remotePossible":false,
                 "languages":[],"mustHaveSkills":[],"niceToHaveSkills":[],"startDate":"2027-01-11","durationWeeks":26,"daysPerWeek":5,
                 "budget":{"min":1200,"max":1600,"currency":"EUR"}}
                """),
        })).GetProperty("id").GetGuid();
        var storedEngagement = await GetAsync($"/api/engagements/{engagement}");
        Expect("engagement.title", text, storedEngagement.GetProperty("title"));
        Expect("engagement.situation", text, storedEngagement.GetProperty("situation"));
        Expect("engagement.exitPlan", text, storedEngagement.GetProperty("exitPlan"));
        Records += 4;
    }

    private void Expect(string field, string expected, JsonElement actual)
    {
        Checked++;
        var value = actual.ValueKind == JsonValueKind.String ? actual.GetString() : actual.GetRawText();
        if (!Encoding.UTF8.GetBytes(expected).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(value ?? "")))
        {
            Mismatches.Add($"{field}: sent {JsonSerializer.Serialize(expected)}, read back {JsonSerializer.Serialize(value)}");
        }
    }

    private async Task<JsonElement> PostAsync(string path, JsonNode body)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        return await SendAsync(message, "verbatim-write");
    }

    private async Task<JsonElement> GetAsync(string path) => await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), "verbatim-read");

    private async Task<JsonElement> SendAsync(HttpRequestMessage message, string caseName)
    {
        using (message)
        {
            message.Headers.Add("X-Api-Key", platform.Key("recruiter"));
            using var response = await http.SendAsync(message);
            var body = await response.Content.ReadAsByteArrayAsync();
            tally.Record(message.Method.Method, message.RequestUri!.ToString(), caseName, response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{message.Method} {message.RequestUri} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            }

            return JsonDocument.Parse(body).RootElement;
        }
    }
}
