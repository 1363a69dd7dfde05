using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InterimPlatform.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// A user's mistake is not a fault of the platform: a clean start, a pass of hostile but valid traffic through the
/// gateway and a graceful stop leave no Error or Critical entry in any service's log, nor in the AppHost's.
/// A platform of its own (the shared one also serves tests that kill servers on purpose), started after the others.
/// </summary>
[Collection(CleanPlatformCollection.Name)]
public sealed class CleanLogsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Services = ["matching", "candidates", "engagements", "gateway"];
    private readonly AspirePlatform _platform = new();

    public Task InitializeAsync() => _platform.InitializeAsync();

    public Task DisposeAsync() => _platform.DisposeAsync();

    [Fact]
    public async Task A_clean_start_hostile_user_traffic_and_a_graceful_stop_log_no_error()
    {
        using var recruiter = _platform.Client();
        using var privacy = _platform.Client("privacy-officer");
        using var anonymous = new HttpClient { BaseAddress = _platform.GatewayUrl };
        var answers = new List<(string Request, HttpStatusCode Status)>();

        async Task Expect(string request, Task<HttpResponseMessage> sending, params HttpStatusCode[] expected)
        {
            using var response = await sending;
            answers.Add((request, response.StatusCode));
            Assert.True(expected.Contains(response.StatusCode), $"{request}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Duplicate e-mails: the same one again, in another case with blanks around it, and taken over by an update.
        var email = $"dup.{Guid.NewGuid():N}@example.se";
        var first = await CreateCandidateAsync(recruiter, CandidateSamples.Cfo("Astrid Berg", email));
        await Expect("duplicate e-mail", recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Astrid Twin", email)), HttpStatusCode.Conflict);
        await Expect("duplicate e-mail, other case", recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Astrid Twin", $"  {email.ToUpperInvariant()} ")), HttpStatusCode.Conflict);
        var second = await CreateCandidateAsync(recruiter, CandidateSamples.Cfo("Berit Berg", $"other.{Guid.NewGuid():N}@example.se"));
        using (var read = await recruiter.GetAsync($"/api/candidates/{second}"))
        {
            using var update = new HttpRequestMessage(HttpMethod.Put, $"/api/candidates/{second}") { Content = JsonContent.Create(CandidateSamples.Cfo("Berit Berg", email)) };
            update.Headers.IfMatch.Add(read.Headers.ETag!);
            await Expect("update to a taken e-mail", recruiter.SendAsync(update), HttpStatusCode.Conflict);
        }

        // The race: the same new e-mail registered twice at once, a few times over. One wins, the other is told.
        for (var race = 0; race < 5; race++)
        {
            var raced = $"race{race}.{Guid.NewGuid():N}@example.se";
            var both = await Task.WhenAll(
                recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Race One", raced)),
                recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Race Two", raced)));
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).Order());
            foreach (var response in both)
            {
                response.Dispose();
            }
        }

        // Bad JSON and wrong types.
        await Expect("truncated JSON", recruiter.PostAsync("/api/candidates", Json("""{"fullName": "Astrid""")), HttpStatusCode.BadRequest);
        await Expect("trailing garbage", recruiter.PostAsync("/api/candidates", Json("""{"fullName": "Astrid"} x""")), HttpStatusCode.BadRequest);
        await Expect("not JSON", recruiter.PostAsync("/api/candidates", new StringContent("name=Astrid", Encoding.UTF8, "text/plain")), HttpStatusCode.BadRequest, HttpStatusCode.UnsupportedMediaType);
        await Expect("a number for a name", recruiter.PostAsync("/api/candidates", Json(Replace(CandidateSamples.Cfo(), "fullName", 42))), HttpStatusCode.BadRequest);
        await Expect("an object for a date", recruiter.PostAsync("/api/candidates", Json(Replace(CandidateSamples.Cfo(), "availability", new { availableFrom = new { } }))), HttpStatusCode.BadRequest);
        await Expect("a client without a name", recruiter.PostAsync("/api/engagements/clients", Json("""{"name": 7}""")), HttpStatusCode.BadRequest);
        await Expect("an engagement as an array", recruiter.PostAsync("/api/engagements", Json("[]")), HttpStatusCode.BadRequest);
        await Expect("a ranking of null", recruiter.PostAsync("/api/matching/rankings", Json("null")), HttpStatusCode.BadRequest);
        // A NUL is refused before PostgreSQL sees it (which would log the refused statement at Error), in text and in
        // a field stored as JSON, in a body and in a query string.
        await Expect("a NUL in a name", recruiter.PostAsync("/api/candidates", Json(Replace(CandidateSamples.Cfo(), "fullName", "Astrid\u0000Berg"))), HttpStatusCode.BadRequest);
        await Expect("a NUL in a client's name", recruiter.PostAsync("/api/engagements/clients", Json("""{"name": "Nordic\u0000Steel"}""")), HttpStatusCode.BadRequest);
        await Expect("a lone surrogate in a client's name", recruiter.PostAsync("/api/engagements/clients", Json("""{"name": "Nordic \ud800 Steel"}""")), HttpStatusCode.BadRequest);
        await Expect("a NUL in a search", recruiter.GetAsync("/api/candidates?q=cfo%00"), HttpStatusCode.BadRequest);

        // Unknown ids.
        var unknown = Guid.NewGuid();
        await Expect("unknown candidate", recruiter.GetAsync($"/api/candidates/{unknown}"), HttpStatusCode.NotFound);
        await Expect("vetting an unknown candidate", recruiter.PostAsJsonAsync($"/api/candidates/{unknown}/vetting", new { to = "screened", reason = "call" }), HttpStatusCode.NotFound);
        await Expect("unknown engagement", recruiter.GetAsync($"/api/engagements/{unknown}"), HttpStatusCode.NotFound);
        await Expect("a contact of an unknown client", recruiter.PostAsJsonAsync($"/api/engagements/clients/{unknown}/contacts", new { name = "Karin Lund", role = "CEO", hasAuthority = true }), HttpStatusCode.NotFound);
        await Expect("an engagement of an unknown client", recruiter.PostAsJsonAsync("/api/engagements", new { clientId = unknown, title = "Interim CFO", sponsorContactId = Guid.NewGuid() }), HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity);
        await Expect("unknown Matching candidate", recruiter.GetAsync($"/api/matching/candidates/{unknown}"), HttpStatusCode.NotFound);
        await Expect("unknown shortlist", recruiter.GetAsync($"/api/matching/shortlists/{unknown}"), HttpStatusCode.NotFound);
        await Expect("not a GUID", recruiter.GetAsync("/api/candidates/not-a-guid"), HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
        await Expect("exporting an unknown candidate", privacy.GetAsync($"/api/candidates/{unknown}/export"), HttpStatusCode.NotFound);

        // Wrong roles and no credentials.
        await Expect("export as a recruiter", recruiter.GetAsync($"/api/candidates/{first}/export"), HttpStatusCode.Forbidden);
        await Expect("erasure as a recruiter", recruiter.PostAsJsonAsync($"/api/candidates/{first}/erasure", new { ground = "art-17-request" }), HttpStatusCode.Forbidden);
        await Expect("keys as a recruiter", recruiter.GetAsync("/api/gateway/keys"), HttpStatusCode.Forbidden);
        await Expect("error queues as a privacy officer", privacy.GetAsync("/api/candidates/messaging/error-queues"), HttpStatusCode.Forbidden);
        await Expect("no key", anonymous.GetAsync("/api/candidates"), HttpStatusCode.Unauthorized);
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/api/candidates"))
        {
            forged.Headers.Add("X-Api-Key", "not-a-key");
            await Expect("an unknown key", anonymous.SendAsync(forged), HttpStatusCode.Unauthorized);
        }

        // Stale and missing versions.
        await Expect("an update without If-Match", recruiter.PutAsJsonAsync($"/api/candidates/{first}", CandidateSamples.Cfo("Astrid Berg", email)), (HttpStatusCode)428);
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/candidates/{first}") { Content = JsonContent.Create(CandidateSamples.Cfo("Astrid Berg", email)) })
        {
            stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            await Expect("an update with a stale If-Match", recruiter.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        }

        // Huge values.
        await Expect("a 1 MB name", recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo(new string('a', 1_000_000), $"big.{Guid.NewGuid():N}@example.se")), HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
        await Expect("100,000 skills", recruiter.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Many Skills", $"many.{Guid.NewGuid():N}@example.se") with { Skills = [.. Enumerable.Range(0, 100_000).Select(i => $"s{i}")] }), HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
        await Expect("a body over 1 MiB", recruiter.PostAsync("/api/engagements/clients", Json($$"""{"name": "{{new string('x', 1_100_000)}}"}""")), HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.BadRequest);
        await Expect("take int.MaxValue", recruiter.GetAsync($"/api/candidates?take={int.MaxValue}&skip={int.MaxValue}"), HttpStatusCode.OK, HttpStatusCode.BadRequest);
        await Expect("a day rate beyond decimal", recruiter.PostAsync("/api/candidates", Json(Replace(CandidateSamples.Cfo("Rich", $"rich.{Guid.NewGuid():N}@example.se"), "dayRate", JsonDocument.Parse("""{"amount": 1e400, "currency": "EUR"}""").RootElement))), HttpStatusCode.BadRequest);

        // Let the events of the candidates created reach Matching, then stop as Ctrl+C would.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await _platform.App.StopAsync();
        await _platform.ErrorLogs.StopWatchingAsync(TimeSpan.FromSeconds(2));

        output.WriteLine($"{answers.Count} requests answered as expected; console lines read: {string.Join(", ", _platform.ErrorLogs.LinesRead.Select(r => $"{r.Key} {r.Value}"))}.");
        Assert.All(Services, service => Assert.True(_platform.ErrorLogs.LinesRead[service] > 0, $"nothing read of {service}'s console"));
        var errors = _platform.ErrorLogs.Entries.ToList();
        foreach (var error in errors)
        {
            output.WriteLine(error.ToString());
        }

        Assert.True(
            errors.Count == 0,
            $"{errors.Count} Error or Critical entries:{Environment.NewLine}{string.Join(Environment.NewLine + Environment.NewLine, errors)}");
    }

    private static async Task<Guid> CreateCandidateAsync(HttpClient client, object candidate)
    {
        using var response = await client.PostAsJsonAsync("/api/candidates", candidate);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary><paramref name="value"/> serialised as the API expects it, with one property replaced.</summary>
    private static string Replace(object value, string property, object replacement)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(value, JsonSerializerOptions.Web))!.AsObject();
        node[property] = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(replacement, JsonSerializerOptions.Web));
        return node.ToJsonString();
    }
}

/// <summary>End-to-end tests that start a platform of their own, one at a time and after the parallel collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CleanPlatformCollection
{
    public const string Name = "Clean platform";
}
