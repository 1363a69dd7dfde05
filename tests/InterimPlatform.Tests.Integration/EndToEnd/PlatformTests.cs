using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.Tests.Integration.Infrastructure;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>The whole app model, the AppHost's, started through Aspire.Hosting.Testing and driven through the gateway.</summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class PlatformTests(AspirePlatform platform)
{
    [Fact]
    public async Task A_candidate_created_through_the_gateway_becomes_visible_in_Matching_is_vetted_exported_and_erased_everywhere()
    {
        var marker = "Astrid" + Guid.NewGuid().ToString("N")[..8];
        using var client = platform.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        var candidateId = await CreateAsync(client, CandidateSamples.Cfo($"{marker} Berg", $"{marker}@example.se"));
        var profile = await WaitForMatchingAsync(client, candidateId);
        Assert.Equal($"{marker} Berg", JsonDocument.Parse(profile).RootElement.GetProperty("profile").GetProperty("fullName").GetString());

        var found = await client.GetFromJsonAsync<JsonElement>($"/api/candidates?q={marker}&discipline=finance");
        Assert.Equal(1, found.GetProperty("total").GetInt32());
        var illegal = await client.PostAsJsonAsync($"/api/candidates/{candidateId}/vetting", new { to = "approved" });
        Assert.Equal(HttpStatusCode.Conflict, illegal.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/candidates/{candidateId}/vetting", new { to = "screened", reason = "call" })).StatusCode);
        using var privacy = platform.Client("privacy-officer");
        var export = await privacy.GetFromJsonAsync<JsonElement>($"/api/candidates/{candidateId}/export");
        Assert.Equal(2, export.GetProperty("vettingHistory").GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await privacy.PostAsJsonAsync($"/api/candidates/{candidateId}/erasure", new { ground = "art-17-request" })).StatusCode);
        await Eventually.GetAsync(
            async () => (await client.GetAsync($"/api/matching/candidates/{candidateId}")).StatusCode == HttpStatusCode.NotFound ? "purged" : null,
            TimeSpan.FromSeconds(30),
            "Matching to purge the erased candidate");
        foreach (var database in new[] { "candidates", "engagements", "matching" })
        {
            Assert.Equal(0, await PersonalData.CountRowsMentioningAsync(platform.DatabaseConnectionString(database), marker));
        }
    }

    [Fact]
    public async Task A_brief_ranked_through_the_gateway_puts_an_over_qualified_vetted_candidate_first_and_filters_out_an_unvetted_perfect_match()
    {
        var host = platform;
        using var client = host.Client();
        // The platform is shared with other tests: a skill of this test's own keeps their candidates out of its brief.
        var skill = UniqueSkill();
        var overQualified = await CreateAsync(client, CandidateSamples.Cfo("Over Qualified", "over.qualified@example.se") with { Levels = ["executive"], Skills = [skill] });
        var perfectMatch = await CreateAsync(client, CandidateSamples.Cfo("Perfect Match", "perfect.match@example.se") with { Levels = ["senior-management"], Skills = [skill] });
        await ApproveAsync(client, overQualified);

        await WaitForMatchingAsync(client, perfectMatch);
        await Eventually.GetAsync(
            async () => JsonDocument.Parse(await WaitForMatchingAsync(client, overQualified)).RootElement.GetProperty("vetting").GetProperty("status").GetString() == "approved" ? "approved" : null,
            TimeSpan.FromSeconds(30),
            "Matching to see the approval");

        var ranking = await client.PostAsJsonAsync("/api/matching/rankings", new
        {
            brief = new
            {
                engagementType = "crisis", level = "senior-management", discipline = "finance", industry = "manufacturing", country = "SE",
                remotePossible = true, languages = new[] { new { code = "en", minimumLevel = "professional" } },
                mustHaveSkills = new[] { skill }, niceToHaveSkills = new[] { "erp migration" },
                startDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30), durationWeeks = 20, daysPerWeek = 5,
                budget = new { min = 1000, max = 1500, currency = "EUR" },
            },
            top = 10,
        });

        Assert.Equal(HttpStatusCode.Created, ranking.StatusCode);
        var shortlist = await ranking.Content.ReadFromJsonAsync<JsonElement>();
        var first = shortlist.GetProperty("candidates")[0];
        Assert.Equal(1, shortlist.GetProperty("candidates").GetArrayLength());
        Assert.Equal(overQualified, first.GetProperty("candidateId").GetGuid());
        Assert.Equal(1, shortlist.GetProperty("filteredOut").GetProperty("not-vetted").GetInt32());
        var level = first.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("criterion").GetString() == "level");
        Assert.Equal(1000, level.GetProperty("points").GetInt32());
        Assert.Contains("one level above the role", level.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        var stored = await client.GetAsync(ranking.Headers.Location + "/audit");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    [Fact]
    public async Task One_engagement_goes_from_draft_to_completed_through_the_gateway_and_the_other_services_follow()
    {
        var host = platform;
        using var client = host.Client();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var skill = UniqueSkill();
        var interim = await CreateAsync(client, CandidateSamples.Cfo("Astrid Interim", "astrid.interim@example.se") with { Skills = ["cash management", skill] });
        await ApproveAsync(client, interim);
        await Eventually.GetAsync(
            async () => JsonDocument.Parse(await WaitForMatchingAsync(client, interim)).RootElement.GetProperty("vetting").GetProperty("status").GetString() == "approved" ? "approved" : null,
            TimeSpan.FromSeconds(30),
            "Matching to see the approval");

        var organisation = await ReadAsync(await client.PostAsJsonAsync("/api/engagements/clients", new { name = "Nordic Foods AB", industry = "manufacturing" }));
        var clientId = organisation.GetProperty("id").GetGuid();
        var sponsor = await ReadAsync(await client.PostAsJsonAsync($"/api/engagements/clients/{clientId}/contacts", new { name = "Karin Lund", role = "CEO", hasAuthority = true }));
        var brief = new
        {
            engagementType = "crisis", level = "senior-management", discipline = "finance", industry = "manufacturing", country = "SE", remotePossible = true,
            languages = new[] { new { code = "en", minimumLevel = "professional" } }, mustHaveSkills = new[] { skill }, niceToHaveSkills = new[] { "cash management" },
            startDate = today.AddDays(30), durationWeeks = 20, daysPerWeek = 5, budget = new { min = 1000, max = 1500, currency = "EUR" },
        };
        var engagement = await ReadAsync(await client.PostAsJsonAsync("/api/engagements", new
        {
            clientId, title = "Interim CFO", brief, situation = "The CFO left during a refinancing.",
            sponsorContactId = sponsor.GetProperty("id").GetGuid(), exitPlan = "Hand over to the permanent CFO with a two-week overlap.",
        }));
        var id = engagement.GetProperty("id").GetGuid();
        await ActAsync(client, id, "transitions", new { to = "intake", reason = "Situation analysis" });
        await ActAsync(client, id, "shortlisting", new { reason = "Brief agreed with the sponsor" });
        engagement = JsonDocument.Parse(await Eventually.GetAsync(
            async () => await client.GetStringAsync($"/api/engagements/{id}") is var e && JsonDocument.Parse(e).RootElement.GetProperty("state").GetString() == "shortlist-ready" ? e : null,
            TimeSpan.FromSeconds(30),
            "Matching's shortlist")).RootElement;
        var shortlisted = engagement.GetProperty("shortlist").GetProperty("candidates")[0];
        Assert.Equal(interim, shortlisted.GetProperty("candidateId").GetGuid());
        Assert.Contains(shortlisted.GetProperty("criteria").EnumerateArray(), c => c.GetProperty("criterion").GetString() == "level" && c.GetProperty("evidence").GetString()!.Length > 0);

        await ActAsync(client, id, "proposals", new { candidateIds = new[] { interim } });
        await ActAsync(client, id, $"proposals/{interim}/decision", new { decision = "accepted" });
        await ActAsync(client, id, "placement", new { candidateId = interim, startDate = today.AddDays(30), endDate = today.AddDays(170), dayRate = 1400, currency = "EUR" });
        await Eventually.GetAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/api/candidates/{interim}")).GetProperty("availability").GetProperty("availableFrom").GetString() == today.AddDays(171).ToString("yyyy-MM-dd") ? "unavailable" : null,
            TimeSpan.FromSeconds(30),
            "Candidates to mark the interim unavailable for the placement");
        var elsewhere = await ReadAsync(await client.PostAsJsonAsync("/api/matching/rankings", new { brief, top = 5 }));
        Assert.Equal(1, elsewhere.GetProperty("filteredOut").GetProperty("placed-elsewhere").GetInt32());

        await ActAsync(client, id, "activation", new { shadowManager = new { name = "Erik Holm" }, reviewEveryWeeks = 4 });
        await ActAsync(client, id, "reviews", new { heldOn = today, attendees = new[] { "client", "interim-manager", "shadow-manager" }, ratings = new { progress = 4 }, notes = "On track" });
        await ActAsync(client, id, "transitions", new { to = "handover", reason = "Permanent CFO starts" });
        var completed = await ActAsync(client, id, "completion", new { outcome = "exceeded", clientRating = 5 });
        Assert.Equal("completed", completed.GetProperty("state").GetString());

        await Eventually.GetAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>($"/api/candidates/{interim}")).GetProperty("trackRecord").GetArrayLength() == 2 ? "grown" : null,
            TimeSpan.FromSeconds(30),
            "the track record to grow in Candidates");
        await Eventually.GetAsync(
            async () => JsonDocument.Parse(await WaitForMatchingAsync(client, interim)).RootElement.GetProperty("profile").GetProperty("trackRecord").GetArrayLength() == 2 ? "grown" : null,
            TimeSpan.FromSeconds(30),
            "the track record to reach Matching");
        var history = await client.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}/history");
        Assert.Equal(
            ["draft", "intake", "shortlisting", "shortlist-ready", "proposed", "placed", "active", "handover", "completed"],
            history.EnumerateArray().Select(t => t.GetProperty("to").GetString()));
    }

    private static string UniqueSkill() => "turnaround playbook " + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonElement> ActAsync(HttpClient client, Guid engagement, string action, object body)
    {
        var response = await client.PostAsJsonAsync($"/api/engagements/{engagement}/{action}", body);
        Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Takes a candidate through vetting to approved, as recruiters would.</summary>
    private static async Task ApproveAsync(HttpClient client, Guid candidate)
    {
        foreach (var step in new object[]
        {
            new { to = "screened", reason = "Intro call" },
            new { to = "interviewed", reason = "Partner interview", traitScores = Candidates.Vetting.InterviewTraits.All.ToDictionary(t => t, _ => 5) },
            new { to = "references-checked", reason = "Two former CEOs" },
            new { to = "approved", reason = "Vetting committee" },
        })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/candidates/{candidate}/vetting", step)).StatusCode);
        }
    }

    private static async Task<Guid> CreateAsync(HttpClient client, Candidates.Profiles.CandidateInput candidate)
    {
        var created = await client.PostAsJsonAsync("/api/candidates", candidate);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Task<string> WaitForMatchingAsync(HttpClient client, Guid candidateId) =>
        Eventually.GetAsync(
            async () =>
            {
                var response = await client.GetAsync($"/api/matching/candidates/{candidateId}");
                return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
            },
            TimeSpan.FromSeconds(30),
            "the candidate in Matching, through the gateway");

    [Fact]
    public async Task A_stopped_service_is_a_problem_naming_it_while_other_routes_keep_working()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var client = platform.Client();
        await platform.ExecuteCommandAsync("candidates", KnownResourceCommands.StopCommand, timeout.Token);
        try
        {
            await platform.App.ResourceNotifications.WaitForResourceAsync("candidates", KnownResourceStates.TerminalStates, timeout.Token);
            var down = await client.GetAsync($"/api/candidates/{Guid.NewGuid()}");
            var up = await client.GetAsync("/api/matching/candidates");

            Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("candidates", problem.GetProperty("service").GetString());
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }
        finally
        {
            await platform.ExecuteCommandAsync("candidates", KnownResourceCommands.StartCommand, timeout.Token);
            await platform.WaitUntilHealthyAsync(["candidates"], timeout.Token);
        }
    }
}
