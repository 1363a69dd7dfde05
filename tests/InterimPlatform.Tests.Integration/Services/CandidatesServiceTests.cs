using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.Privacy;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Candidates.Search;
using InterimPlatform.Candidates.Vetting;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Services;

[Collection(PlatformServersCollection.Name)]
public sealed class CandidatesServiceTests(PlatformServers servers) : IAsyncLifetime
{
    private const string RegisteredExchange = "InterimPlatform.Contracts.Candidates.V1:CandidateRegistered";
    private readonly CapturedLogs _logs = new();
    private ServiceHost<CandidatesDbContext> _service = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        },
        services => services.AddSingleton<ILoggerProvider>(_logs));
        await _service.WaitUntilHealthyAsync();
        _client = _service.CreateClient();
    }

    [Fact]
    public async Task A_duplicate_email_is_answered_409_and_logs_no_error_from_a_fresh_database_on_even_in_a_race()
    {
        var first = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Lars Holm", "lars.holm@example.no", "NO"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Lars Holm (again)", " LARS.HOLM@example.no ", "NO"));
        var other = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Nils Holm", "nils.holm@example.no", "NO"));
        using var update = new HttpRequestMessage(HttpMethod.Put, other.Headers.Location) { Content = JsonContent.Create(CandidateSamples.Cfo("Nils Holm", "lars.holm@example.no", "NO")) };
        update.Headers.IfMatch.Add(other.Headers.ETag!);
        var takenByUpdate = await _client.SendAsync(update);
        // The race: the same new address registered by several requests at once; exactly one is stored.
        var race = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"Racer {i}", "racer@example.no", "NO"))));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, takenByUpdate.StatusCode);
        Assert.Equal("application/problem+json", takenByUpdate.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, race.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, race.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        using var renamed = new HttpRequestMessage(HttpMethod.Put, other.Headers.Location) { Content = JsonContent.Create(CandidateSamples.Cfo("Nils Holm", "nils.holm@holm.no", "NO")) };
        renamed.Headers.IfMatch.Add(other.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(renamed)).StatusCode);
        // Everything since the service started: the migrations of a fresh database, the bus starting, the refusals.
        Assert.True(_logs.Errors.Count == 0, string.Join(Environment.NewLine, _logs.Errors));
    }

    [Fact]
    public async Task A_registered_candidate_is_stored_and_its_event_reaches_the_broker_with_the_outbox_row_id()
    {
        // Listen on the event's exchange the way any other service would.
        var factory = new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(RegisteredExchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, RegisteredExchange, routingKey: "");

        var response = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(response.Headers.ETag);
        var created = (await response.Content.ReadFromJsonAsync<CandidateView>())!;
        Assert.Equal("SE", created.Location.Country);
        Assert.Equal("sourced", created.Vetting.Status);
        Assert.Equal(["screened", "rejected"], created.Vetting.AllowedTransitions);
        var fetched = await _client.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal("Astrid Berg", fetched.GetProperty("fullName").GetString());

        var delivered = await Eventually.GetAsync(() => channel.BasicGetAsync(queue, autoAck: true), TimeSpan.FromSeconds(30), "CandidateRegistered on the broker");
        using var envelope = JsonDocument.Parse(delivered.Body);
        var message = envelope.RootElement.GetProperty("message");
        Assert.Equal(created.Id, message.GetProperty("candidateId").GetGuid());
        Assert.Equal("finance", message.GetProperty("profile").GetProperty("disciplines")[0].GetString());
        Assert.False(message.GetProperty("profile").TryGetProperty("email", out _)); // contact details stay in Candidates

        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var row = await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.AggregateId == created.Id.ToString());
        Assert.Equal(row.Id, envelope.RootElement.GetProperty("messageId").GetGuid());
        Assert.Equal(row.Id.ToString(), delivered.BasicProperties.MessageId);
    }

    [Fact]
    public async Task Invalid_input_is_a_problem_listing_each_bad_field()
    {
        var response = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo() with { FullName = "", Email = "not-an-address", Location = new LocationInput("Sweden", null, false, false, false) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["email", "fullName", "location.country"], fields);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_not_a_server_error()
    {
        var response = await _client.PostAsync("/api/candidates", FieldErrors.Json("{\"fullName\": "));

        var errors = await FieldErrors.AssertAsync(response, "$");
        Assert.StartsWith("The body is not valid JSON (line 1, position", errors.GetProperty("$")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_with_a_NUL_character_is_a_400_problem_keyed_by_its_path_and_nothing_is_stored()
    {
        // PostgreSQL stores no U+0000 in text or jsonb: refused before any database work, in a field, a list and a search parameter.
        var inName = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo(fullName: "Astrid\u0000Berg", email: "nul.name@example.se"));
        var inList = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo(email: "nul.skill@example.se") with { Skills = ["erp", "ifrs\u0000"] });
        var inSearch = await _client.GetAsync("/api/candidates?skill=%00");

        Assert.Equal(["May not contain the NUL character (U+0000)."], (await FieldErrors.AssertAsync(inName, "fullName")).GetProperty("fullName").EnumerateArray().Select(m => m.GetString()));
        await FieldErrors.AssertAsync(inList, "skills[1]");
        await FieldErrors.AssertAsync(inSearch, "skill");
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        Assert.Equal(0, await db.Candidates.CountAsync(c => c.Email!.StartsWith("nul.")));
    }

    [Fact]
    public async Task A_body_with_three_type_errors_is_one_problem_naming_all_three_in_the_callers_words()
    {
        var response = await _client.PostAsync("/api/candidates", FieldErrors.Json("""
            { "fullName": "Astrid Berg", "email": "types@example.se", "location": { "country": "SE" },
              "skills": "erp migration", "dayRate": { "amount": "a lot", "currency": "EUR" },
              "trackRecord": [ { "months": 8 }, { "months": 3, "endedOn": "last summer" } ] }
            """));

        var errors = await FieldErrors.AssertAsync(response, "skills", "dayRate.amount", "trackRecord[1].endedOn");
        Assert.Equal("Must be a list of text.", errors.GetProperty("skills")[0].GetString());
        Assert.Equal("Must be a number.", errors.GetProperty("dayRate.amount")[0].GetString());
        Assert.Equal("Must be a date like 2027-02-08.", errors.GetProperty("trackRecord[1].endedOn")[0].GetString());
    }

    [Fact]
    public async Task A_rejected_duplicate_writes_neither_the_candidate_nor_its_event()
    {
        var first = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Lars Holm", "lars.holm@example.no", "NO"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var second = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Lars Holm (again)", "LARS.HOLM@example.no", "NO"));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        var firstId = (await first.Content.ReadFromJsonAsync<CandidateView>())!.Id.ToString();
        Assert.Equal(1, await db.Candidates.CountAsync(c => c.Email == "lars.holm@example.no"));
        Assert.Equal([firstId], await db.Set<OutboxMessage>().Select(m => m.AggregateId).ToListAsync()); // each test has its own database
    }

    [Fact]
    public async Task An_update_needs_the_current_ETag_so_a_concurrent_edit_is_refused()
    {
        var created = await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Karin Vik", "karin.vik@example.se"));
        var location = created.Headers.Location!;
        var etag = created.Headers.ETag!;

        var withoutIfMatch = await _client.PutAsJsonAsync(location, CandidateSamples.Cfo("Karin Vik", "karin.vik@example.se"));
        var first = await PutAsync(location, CandidateSamples.Cfo("Karin Vik-Lund", "karin.vik@example.se"), etag);
        var second = await PutAsync(location, CandidateSamples.Cfo("Karin Lund", "karin.vik@example.se"), etag);

        Assert.Equal(HttpStatusCode.PreconditionRequired, withoutIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(etag, first.Headers.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Karin Vik-Lund", (await _client.GetFromJsonAsync<CandidateView>(location))!.FullName);
    }

    [Fact]
    public async Task Vetting_follows_the_pipeline_records_who_and_why_and_names_the_allowed_steps_when_refused()
    {
        var created = (await (await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Nils Ek", "nils.ek@example.se"))).Content.ReadFromJsonAsync<CandidateView>())!;
        var vetting = $"/api/candidates/{created.Id}/vetting";

        var skipAhead = await _client.PostAsJsonAsync(vetting, new VettingTransitionRequest("approved", null, null, null));
        Assert.Equal(HttpStatusCode.Conflict, skipAhead.StatusCode);
        var problem = await skipAhead.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["screened", "rejected"], problem.GetProperty("allowed").EnumerateArray().Select(e => e.GetString()));

        _client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServiceHost<CandidatesDbContext>.TokenFor("recruiter.anna"));
        await MoveAsync(vetting, new VettingTransitionRequest("screened", "CV and call", null, null));
        await MoveAsync(vetting, new VettingTransitionRequest("interviewed", "Panel interview", InterviewTraits.All.ToDictionary(t => t, _ => 4), null));
        await MoveAsync(vetting, new VettingTransitionRequest("references-checked", "Two former CEOs", null, null));
        var approved = await MoveAsync(vetting, new VettingTransitionRequest("approved", null, null, null));

        Assert.Equal("approved", approved.Vetting.Status);
        Assert.True(approved.Vetting.ApprovedUntil > DateOnly.FromDateTime(DateTime.UtcNow.AddYears(1)));
        var history = (await _client.GetFromJsonAsync<List<VettingHistoryEntry>>(vetting))!;
        Assert.Equal(["sourced", "screened", "interviewed", "references-checked", "approved"], history.Select(h => h.To));
        Assert.All(history.Skip(1), h => Assert.Equal("recruiter.anna", h.By));
        Assert.Equal(7, history[2].TraitScores!.Count);
    }

    [Fact]
    public async Task Search_filters_combine_and_page()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"Erik {marker} Dahl", $"erik.{marker}@example.no", "NO") with { Skills = ["sap", "lean"] });
        await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"Eva {marker} Lind", $"eva.{marker}@example.se") with { Skills = ["sap"], DayRate = new RateInput(900, "EUR") });
        await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"Olle {marker} Berg", $"olle.{marker}@example.se") with { Disciplines = ["it"], Skills = ["sap"] });

        var all = await SearchAsync($"?q={marker}");
        var sapFinanceInSweden = await SearchAsync($"?q={marker}&skill=SAP&discipline=finance&country=se");
        var cheap = await SearchAsync($"?q={marker}&maxDayRate=1000&currency=EUR");
        var bothSkills = await SearchAsync($"?q={marker}&skill=sap&skill=lean");
        var prefix = await SearchAsync($"?q={marker[..5]}&sort=-name&pageSize=2");
        var bad = await _client.GetAsync("/api/candidates?pageSize=1000&sort=shoe-size");

        Assert.Equal(3, all.Total);
        Assert.Equal([$"Eva {marker} Lind"], sapFinanceInSweden.Items.Select(i => i.FullName));
        Assert.Equal([$"Eva {marker} Lind"], cheap.Items.Select(i => i.FullName));
        Assert.Equal([$"Erik {marker} Dahl"], bothSkills.Items.Select(i => i.FullName));
        Assert.Equal(3, prefix.Total);
        Assert.Equal([$"Olle {marker} Berg", $"Eva {marker} Lind"], prefix.Items.Select(i => i.FullName));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["pageSize", "sort"], (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Export_returns_everything_held_and_erasure_leaves_only_the_fact_of_it()
    {
        var marker = "Sigrid" + Guid.NewGuid().ToString("N")[..8];
        var created = (await (await _client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"{marker} Aas", $"{marker.ToLowerInvariant()}@example.no", "NO"))).Content.ReadFromJsonAsync<CandidateView>())!;
        await _client.PostAsJsonAsync($"/api/candidates/{created.Id}/vetting", new VettingTransitionRequest("screened", "Phone screen", null, null));

        var export = (await _client.GetFromJsonAsync<AccessExport>($"/api/candidates/{created.Id}/export"))!;
        var missingGround = await _client.PostAsJsonAsync($"/api/candidates/{created.Id}/erasure", new ErasureRequest(null));
        var erasure = await _client.PostAsJsonAsync($"/api/candidates/{created.Id}/erasure", new ErasureRequest("art-17-request"));
        var again = await _client.PostAsJsonAsync($"/api/candidates/{created.Id}/erasure", new ErasureRequest("art-17-request"));

        Assert.Equal($"{marker} Aas", export.Candidate.FullName);
        Assert.Equal(2, export.VettingHistory.Count);
        Assert.Equal(2, export.EventsHeld.Count); // registered, vetting changed
        Assert.Equal(HttpStatusCode.BadRequest, missingGround.StatusCode);
        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/candidates/{created.Id}")).StatusCode);
        Assert.Equal(0, await CountRowsMentioningAsync(marker));
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        Assert.Equal("art-17-request", (await db.Erasures.SingleAsync(e => e.CandidateId == created.Id)).Ground);
        Assert.Contains("CandidateErased", (await db.Set<OutboxMessage>().SingleAsync(m => m.AggregateId == created.Id.ToString())).MessageType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_endpoint_with_examples()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Superset(
            new HashSet<string>
            {
                "/api/candidates", "/api/candidates/{id}", "/api/candidates/{id}/availability", "/api/candidates/{id}/vetting",
                "/api/candidates/{id}/export", "/api/candidates/{id}/erasure", "/api/candidates/privacy/partner-notices",
                "/api/candidates/messaging/error-queues",
            },
            paths.ToHashSet());
        var input = document.GetProperty("components").GetProperty("schemas").GetProperty("CandidateInput");
        Assert.Equal("Ingrid Solberg", input.GetProperty("examples")[0].GetProperty("fullName").GetString());
    }

    private async Task<int> CountRowsMentioningAsync(string text)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        return await PersonalData.CountRowsMentioningAsync(db.Database.GetDbConnection().ConnectionString, text);
    }

    private async Task<CandidateSearchResult> SearchAsync(string query) =>
        (await _client.GetFromJsonAsync<CandidateSearchResult>("/api/candidates" + query))!;

    private async Task<CandidateView> MoveAsync(string vetting, VettingTransitionRequest request)
    {
        var response = await _client.PostAsJsonAsync(vetting, request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CandidateView>())!;
    }

    private Task<HttpResponseMessage> PutAsync(Uri location, CandidateInput input, EntityTagHeaderValue etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, location) { Content = JsonContent.Create(input) };
        request.Headers.IfMatch.Add(etag);
        return _client.SendAsync(request);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
