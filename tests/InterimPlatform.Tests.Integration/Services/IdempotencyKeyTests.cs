using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Creating POSTs with an <c>Idempotency-Key</c> against the real PostgreSQL server: replays, a key reused with
/// another body, concurrent requests with one key, two instances of a service on one database, expiry and purge.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class IdempotencyKeyTests(PlatformServers servers) : IAsyncLifetime
{
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private readonly List<IAsyncDisposable> _hosts = [];
    private string _engagementsDb = "";
    private ServiceHost<EngagementsDbContext> _engagements = null!;

    public async Task InitializeAsync()
    {
        _engagementsDb = await servers.CreateDatabaseAsync("idem");
        _engagements = await StartEngagementsAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_gets_the_first_answer_and_creates_nothing_more()
    {
        var client = _engagements.CreateClient();
        var key = Guid.NewGuid().ToString();

        var first = await PostClientAsync(client, key, "Nordic Foods AB");
        var retry = await PostClientAsync(client, key, "Nordic Foods AB");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
        Assert.False(first.Headers.Contains(StoredAnswerHeader));
        Assert.Equal("true", retry.Headers.GetValues(StoredAnswerHeader).Single());
        Assert.Equal(1, await CountClientsAsync("Nordic Foods AB"));

        // Without a key nothing changes: a second POST creates a second client.
        await client.PostAsJsonAsync("/api/engagements/clients", new ClientRequest("Nordic Foods AB", "food"));
        Assert.Equal(2, await CountClientsAsync("Nordic Foods AB"));
    }

    [Fact]
    public async Task A_decided_refusal_is_replayed_too()
    {
        var client = _engagements.CreateClient();
        var key = Guid.NewGuid().ToString();

        var first = await PostClientAsync(client, key, name: "");
        var retry = await PostClientAsync(client, key, name: "");

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues(StoredAnswerHeader).Single());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_a_422_problem_and_creates_nothing()
    {
        var client = _engagements.CreateClient();
        var key = Guid.NewGuid().ToString();
        await PostClientAsync(client, key, "Fjord Energy AS");

        var other = await PostClientAsync(client, key, "Fjord Energy ASA");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.Contains("different request", problem.GetProperty("title").GetString());
        Assert.Equal(0, await CountClientsAsync("Fjord Energy ASA"));
    }

    [Fact]
    public async Task Keys_are_per_caller_and_per_route()
    {
        var key = Guid.NewGuid().ToString();
        var anna = _engagements.CreateClientAs("recruiter.anna");
        var bo = _engagements.CreateClientAs("recruiter.bo");

        var fromAnna = await PostClientAsync(anna, key, "Baltic Steel AB");
        var fromBo = await PostClientAsync(bo, key, "Baltic Steel AB");
        var id = (await fromAnna.Content.ReadFromJsonAsync<ClientView>())!.Id;
        var onContacts = await SendAsync(anna, $"/api/engagements/clients/{id}/contacts", key, new ContactRequest("Eva Holm", "CFO", "eva@example.se", null, true));

        Assert.Equal(HttpStatusCode.Created, fromAnna.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fromBo.StatusCode);
        Assert.NotEqual(fromAnna.Headers.Location, fromBo.Headers.Location);
        Assert.Equal(HttpStatusCode.Created, onContacts.StatusCode);
        Assert.Equal(2, await CountClientsAsync("Baltic Steel AB"));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\"\"")]
    [InlineData("tab\there")]
    [InlineData(null)] // 256 characters
    public async Task A_malformed_key_is_a_400_problem_and_creates_nothing(string? key)
    {
        var client = _engagements.CreateClient();
        var name = $"Malformed {Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements/clients") { Content = JsonContent.Create(new ClientRequest(name, "food")) };
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader.Name, key ?? new string('k', 256));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(IdempotencyKeyHeader.Name, problem.GetProperty("title").GetString());
        Assert.Equal(0, await CountClientsAsync(name));
    }

    [Fact]
    public async Task A_key_of_255_characters_quoted_as_the_draft_writes_it_is_accepted()
    {
        var client = _engagements.CreateClient();
        var key = new string('k', 250) + Guid.NewGuid().ToString("N")[..5];

        var first = await PostClientAsync(client, $"\"{key}\"", "Quoted Key AB");
        var bare = await PostClientAsync(client, key, "Quoted Key AB");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(first.Headers.Location, bare.Headers.Location);
        Assert.Equal(1, await CountClientsAsync("Quoted Key AB"));
    }

    [Fact]
    public async Task A_key_in_flight_is_a_409_problem_until_its_first_request_finishes()
    {
        var client = _engagements.CreateClient();
        var key = Guid.NewGuid().ToString();
        // Hold the key's lock as a first request on another replica would while it runs.
        // Unpooled: closing it must end the session (and release the lock), as a dead process's would.
        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_engagementsDb) { Pooling = false }.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@lock)", holder))
        {
            take.Parameters.AddWithValue("lock", IdempotencyKeyHeader.LockId("test-user", "/api/engagements/clients", key));
            await take.ExecuteNonQueryAsync();
        }

        var whileInFlight = await PostClientAsync(client, key, "Inflight Oy");

        Assert.Equal(HttpStatusCode.Conflict, whileInFlight.StatusCode);
        Assert.Equal("application/problem+json", whileInFlight.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(whileInFlight.Headers.RetryAfter);
        Assert.Equal(0, await CountClientsAsync("Inflight Oy"));

        await holder.CloseAsync(); // the first request's session ends: its lock goes with it
        var afterwards = await PostClientAsync(client, key, "Inflight Oy");
        Assert.Equal(HttpStatusCode.Created, afterwards.StatusCode);
        Assert.Equal(1, await CountClientsAsync("Inflight Oy"));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_on_two_instances_create_once_and_agree()
    {
        var second = await StartEngagementsAsync();
        var clients = new[] { _engagements.CreateClient(), second.CreateClient() };
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => PostClientAsync(clients[i % 2], key, "Racing Logistics BV")));

        Assert.Equal(1, await CountClientsAsync("Racing Logistics BV"));
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = answers.Where(a => a.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        Assert.Single(created.Select(a => a.Headers.Location).Distinct());
        Assert.Single(created, a => !a.Headers.Contains(StoredAnswerHeader));

        // The key holds on either instance afterwards, and across a restart (the answer is in the database).
        var onSecond = await PostClientAsync(clients[1], key, "Racing Logistics BV");
        Assert.Equal(created[0].Headers.Location, onSecond.Headers.Location);
        await second.DisposeAsync();
        _hosts.Remove(second);
        var restarted = await StartEngagementsAsync();
        var afterRestart = await PostClientAsync(restarted.CreateClient(), key, "Racing Logistics BV");
        Assert.Equal(created[0].Headers.Location, afterRestart.Headers.Location);
        Assert.Equal(1, await CountClientsAsync("Racing Logistics BV"));
    }

    [Fact]
    public async Task An_expired_key_is_purged_and_then_starts_a_new_request()
    {
        var client = _engagements.CreateClient();
        var key = Guid.NewGuid().ToString();
        await PostClientAsync(client, key, "Expiring Holding SE");
        var purge = _engagements.Services.GetRequiredService<IdempotentRequestPurge<EngagementsDbContext>>();

        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await purge.PurgeAsync(CancellationToken.None));
        Assert.Equal(1, await CountKeysAsync(key));

        _clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal(1, await purge.PurgeAsync(CancellationToken.None));
        Assert.Equal(0, await CountKeysAsync(key));

        var again = await PostClientAsync(client, key, "Expiring Holding SE");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.False(again.Headers.Contains(StoredAnswerHeader));
        Assert.Equal(2, await CountClientsAsync("Expiring Holding SE"));
    }

    [Fact]
    public async Task A_candidate_registration_is_replayed_with_its_location_and_etag_on_another_replica()
    {
        var database = await servers.CreateDatabaseAsync("idemcand");
        var replicas = new List<ServiceHost<CandidatesDbContext>>();
        for (var i = 0; i < 2; i++)
        {
            var host = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
            {
                ["ConnectionStrings:candidatesdb"] = database,
                ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
            });
            _hosts.Add(host);
            replicas.Add(host);
        }

        await Task.WhenAll(replicas.Select(r => r.WaitUntilHealthyAsync()));
        var key = Guid.NewGuid().ToString();
        var body = CandidateSamples.Cfo(email: $"{Guid.NewGuid():N}@example.se");

        var first = await SendAsync(replicas[0].CreateClient(), "/api/candidates", key, body);
        var retry = await SendAsync(replicas[1].CreateClient(), "/api/candidates", key, body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM candidates", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_ranking_which_runs_its_own_transaction_joins_the_keys_and_is_stored_once()
    {
        var database = await servers.CreateDatabaseAsync("idemmatch");
        var matching = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = database,
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("matching"),
        });
        _hosts.Add(matching);
        await matching.WaitUntilHealthyAsync();
        var client = matching.CreateClient();
        var start = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14);
        var brief = new MatchBrief(
            "crisis", "senior-management", "finance", "manufacturing", "DE", false,
            [new LanguageRequirement("de", "professional")], ["restructuring"], ["ifrs"], start, 26, 5, new DayRateBudget(1200, 1600, "EUR"));
        var key = Guid.NewGuid().ToString();

        var first = await SendAsync(client, "/api/matching/rankings", key, new RankingRequestBody(brief, 10));
        var retry = await SendAsync(client, "/api/matching/rankings", key, new RankingRequestBody(brief, 10));
        var plain = await client.PostAsJsonAsync("/api/matching/rankings", new RankingRequestBody(brief, 10));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM shortlists", connection);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_offers_the_header_on_creating_posts_only()
    {
        var document = await _engagements.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        var create = paths.GetProperty("/api/engagements/clients").GetProperty("post");
        var header = create.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == IdempotencyKeyHeader.Name);
        Assert.Equal("header", header.GetProperty("in").GetString());
        Assert.False(header.TryGetProperty("required", out var required) && required.GetBoolean());
        Assert.Contains("24 hours", header.GetProperty("description").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("422", out _));

        var transition = paths.GetProperty("/api/engagements/{id}/transitions").GetProperty("post");
        Assert.False(transition.TryGetProperty("parameters", out var parameters)
            && parameters.EnumerateArray().Any(p => p.GetProperty("name").GetString() == IdempotencyKeyHeader.Name));
    }

    private const string StoredAnswerHeader = "Idempotent-Replayed";

    private async Task<ServiceHost<EngagementsDbContext>> StartEngagementsAsync()
    {
        var host = new ServiceHost<EngagementsDbContext>(
            new Dictionary<string, string>
            {
                ["ConnectionStrings:engagementsdb"] = _engagementsDb,
                ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("engagements"),
            },
            services => services.AddSingleton<TimeProvider>(_clock));
        _hosts.Add(host);
        await host.WaitUntilHealthyAsync();
        return host;
    }

    private static Task<HttpResponseMessage> PostClientAsync(HttpClient client, string key, string name) =>
        SendAsync(client, "/api/engagements/clients", key, new ClientRequest(name, "food"));

    private static async Task<HttpResponseMessage> SendAsync<T>(HttpClient client, string path, string key, T body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader.Name, key);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<long> CountClientsAsync(string name) => await ScalarAsync("SELECT count(*) FROM clients WHERE name = @value", name);

    private async Task<long> CountKeysAsync(string key) => await ScalarAsync("SELECT count(*) FROM idempotent_requests WHERE key = @value", key);

    private async Task<long> ScalarAsync(string sql, string value)
    {
        await using var connection = new NpgsqlConnection(_engagementsDb);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("value", value);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
