using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Gateway.Access;
using InterimPlatform.Gateway.Data;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Services whose PostgreSQL goes away (a restart from the dashboard: a fast shutdown; or kill -9, no goodbye to its
/// clients) and comes back on the same port: a request that arrives once it is back succeeds, although the pool
/// still held the old server's connections; while it is down a request is a 503 problem saying to retry and that
/// nothing was applied, never a 500. Matching's index goes on ranking on what it holds, and once the server is back
/// it follows changes again and reloads what it missed.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class DatabaseOutageTests(PlatformServers servers) : IAsyncLifetime
{
    private const string AdminKey = "ipk.outageadmin.0123456789abcdefghijABCDEFGHIJ";
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromMinutes(2);
    private OwnPostgres _postgres = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(ServerTimeout);
        _postgres = await OwnPostgres.LaunchAsync(["candidates", "engagements", "matching", "gateway"], timeout.Token);
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task Requests_while_the_database_is_killed_are_503s_saying_nothing_was_applied_and_after_it_restarts_they_succeed()
    {
        await using var service = await CandidatesAsync();
        var client = service.CreateClient();
        // Several connections in the pool, as a busy service has.
        var warm = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync("/api/candidates?pageSize=1")));
        Assert.All(warm, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));

        // kill -9 of the whole server and a new one on the same port before any request notices: the pool still
        // holds the dead server's connections, and still every request succeeds.
        await KillAsync();
        await StartAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await client.GetAsync("/api/candidates?pageSize=1")).StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        // While it is down: a problem that says to retry, and that nothing was applied: a read sends nothing that
        // could commit, and a write never gets as far as its COMMIT (the first attempt may meet a dead pooled
        // connection, inside its transaction; the retries are refused).
        await KillAsync();
        var down = await client.GetAsync("/api/candidates?pageSize=1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.True(down.Headers.RetryAfter is not null, "a 503 says when to retry");
        var outcomes = new List<string?> { await OutcomeAsync(down) };
        for (var i = 0; i < 3; i++)
        {
            var again = await client.GetAsync("/api/candidates?pageSize=1");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
            outcomes.Add(await OutcomeAsync(again));
        }

        var write = await client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Down Time", $"down.{Guid.NewGuid():N}@example.se"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        outcomes.Add(await OutcomeAsync(write));
        Assert.All(outcomes, o => Assert.Equal("not-applied", o));

        await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/candidates?pageSize=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo("Back Again", $"back.{Guid.NewGuid():N}@example.se"))).StatusCode);
    }

    /// <summary>
    /// Every service, restarted under it from the dashboard (Restart: a fast shutdown, each session told so) and
    /// killed (kill -9, then Start): once the server is healthy again, the next reads and writes of each service
    /// all succeed, each meeting the pool as the old server left it. Several rounds, so a pool refilled after one
    /// restart is met broken again by the next.
    /// </summary>
    [Fact]
    public async Task After_PostgreSQL_restarts_or_is_killed_and_started_again_the_next_reads_and_writes_of_every_service_succeed()
    {
        var services = new List<Service>();
        try
        {
            services.Add(await StartServiceAsync(CandidatesAsync, "candidates",
                client => client.GetAsync("/api/candidates?pageSize=1"),
                (client, n) => client.PostAsJsonAsync("/api/candidates", CandidateSamples.Cfo($"Restart Test {n}", $"restart.{Guid.NewGuid():N}@example.se"))));
            services.Add(await StartServiceAsync(EngagementsAsync, "engagements",
                client => client.GetAsync("/api/engagements/clients"),
                (client, n) => client.PostAsJsonAsync("/api/engagements/clients", new ClientRequest($"Restart Test {n} AB", "food"))));
            services.Add(await StartServiceAsync(MatchingAsync, "matching",
                client => client.GetAsync("/api/matching/shortlists?take=1"),
                (client, n) => client.PostAsJsonAsync("/api/matching/rankings", new RankingRequestBody(Brief, 5))));
            services.Add(await StartServiceAsync(GatewayAsync, "gateway",
                client => client.GetAsync("/api/gateway/keys"),
                (client, n) => client.PostAsJsonAsync("/api/gateway/keys", new KeyRequest($"restart-test-{n}", "recruiter"))));

            var failures = new List<string>();
            var writes = 0;
            foreach (var (round, restart) in new[] { "restart", "kill", "restart", "kill" }.Index())
            {
                // Several connections in each pool, as a busy service has.
                await Task.WhenAll(services.Select(s => ExpectAsync(s, $"round {round} warm-up read", Enumerable.Range(0, 6).Select(_ => s.Read(s.Client)), failures)));
                if (restart == "restart")
                {
                    await RestartAsync();
                }
                else
                {
                    await KillAsync();
                    await StartAsync();
                }

                // At once, healthy again: reads and writes side by side, each taking its own pooled connection.
                await Task.WhenAll(services.Select(s => ExpectAsync(
                    s,
                    $"round {round} ({restart}): first requests",
                    [.. Enumerable.Range(0, 3).Select(_ => s.Read(s.Client)), .. Enumerable.Range(0, 3).Select(_ => s.Write(s.Client, Interlocked.Increment(ref writes)))],
                    failures)));
                // Then the next read and the next write.
                foreach (var s in services)
                {
                    await ExpectAsync(s, $"round {round} ({restart}): next read", [s.Read(s.Client)], failures);
                    await ExpectAsync(s, $"round {round} ({restart}): next write", [s.Write(s.Client, Interlocked.Increment(ref writes))], failures);
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            foreach (var service in services)
            {
                await service.Host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Matching_s_index_follows_the_pool_again_after_the_database_is_killed_and_restarted_and_reconciles_what_it_missed()
    {
        var database = _postgres.Server.GetConnectionString("matching");
        // The pool is counted below: events about people other test classes registered while no Matching ran wait
        // in its queues (any of them adds the person to the pool).
        foreach (var queue in new[] { "registered", "profile-changed", "availability-changed", "vetting-changed", "erased" })
        {
            await PurgeIfDeclaredAsync("matching-candidate-" + queue);
        }

        await using var service = await MatchingAsync();
        var consumed = new ConsumedMessages();
        var bus = service.Services.GetRequiredService<IBus>();
        bus.ConnectConsumeObserver(consumed);
        var index = service.Services.GetRequiredService<CandidateIndex>();
        var candidateId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await servers.OtherServices.Publish(
            new CandidateRegistered(
                candidateId,
                new CandidateProfile("Before The Outage", "DE", "Hamburg", false, true, false, [], ["executive"], ["finance"], [], [], [], [], null, null),
                new CandidateAvailability(null, null, 0, 5),
                new CandidateVetting("approved", null),
                DateTimeOffset.UtcNow),
            context => context.MessageId = messageId);
        await consumed.WaitForAsync(messageId, 1, TimeSpan.FromSeconds(30));
        Assert.Equal("Before The Outage", index.Find(candidateId)?.FullName);

        // A change the index is not told of (triggers off), as one committed just before the server died would
        // be if its notification never arrived: only the reconciliation after the reconnection brings it in. The
        // checkpoint keeps it (and the migrations) through the kill: the test server commits without waiting for disk.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                SET session_replication_role = replica;
                UPDATE pool_candidates SET profile = jsonb_set(profile, '{fullName}', '"After The Outage"') WHERE candidate_id = @id;
                """,
                connection);
            command.Parameters.AddWithValue("id", candidateId);
            await command.ExecuteNonQueryAsync();
            // On its own: in the same batch it would run inside the update's transaction, before its commit.
            await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection);
            await checkpoint.ExecuteNonQueryAsync();
        }

        await KillAsync();
        var client = service.CreateClient();
        var down = await Eventually.GetAsync(
            async () => await client.GetFromJsonAsync<IndexView>("/api/matching/index") is { FollowingChanges: false } view ? view : null,
            TimeSpan.FromSeconds(30),
            "the index to report that it no longer follows changes");
        Assert.NotNull(down.NotFollowingSince);
        Assert.Equal("Before The Outage", index.Find(candidateId)?.FullName); // still ranks on what it had

        await StartAsync();
        var back = await Eventually.GetAsync(
            async () => await client.GetFromJsonAsync<IndexView>("/api/matching/index") is { FollowingChanges: true, Reconciliations: >= 1 } view ? view : null,
            TimeSpan.FromSeconds(60),
            "the index to reconnect and reconcile");
        Assert.Equal("After The Outage", index.Find(candidateId)?.FullName);
        Assert.Equal(1, back.Candidates);
    }

    private async Task PurgeIfDeclaredAsync(string queue)
    {
        await using var connection = await new RabbitMQ.Client.ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueuePurgeAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // not declared yet: nothing waits in it
        }
    }

    private static readonly MatchBrief Brief = new(
        "crisis", "senior-management", "finance", "manufacturing", "DE", false, [], [], ["ifrs"],
        DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14), 26, 5, new DayRateBudget(1200, 1600, "EUR"));

    /// <summary>A service in-process, its client, and one read and one write of its own through its API.</summary>
    private sealed record Service(string Name, IAsyncDisposable Host, HttpClient Client, Func<HttpClient, Task<HttpResponseMessage>> Read, Func<HttpClient, int, Task<HttpResponseMessage>> Write);

    private static async Task<Service> StartServiceAsync<T>(
        Func<Task<ServiceHost<T>>> start, string name, Func<HttpClient, Task<HttpResponseMessage>> read, Func<HttpClient, int, Task<HttpResponseMessage>> write)
        where T : class
    {
        var host = await start();
        var client = host.CreateClient();
        if (typeof(T) == typeof(GatewayDbContext))
        {
            // The gateway's own API: an admin's API key, as an operator would call it.
            client.DefaultRequestHeaders.Authorization = null;
            client.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, AdminKey);
        }

        return new Service(name, host, client, read, write);
    }

    /// <summary>Every response a success; otherwise what each failure said, for the test's report.</summary>
    private static async Task ExpectAsync(Service service, string what, IEnumerable<Task<HttpResponseMessage>> requests, List<string> failures)
    {
        foreach (var response in await Task.WhenAll(requests))
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync();
                lock (failures)
                {
                    failures.Add($"{service.Name}, {what}: {(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} {body[..Math.Min(body.Length, 400)]}");
                }
            }
        }
    }

    private static async Task<string?> OutcomeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString();

    private async Task<ServiceHost<CandidatesDbContext>> CandidatesAsync() => await StartAsync(new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
    {
        ["ConnectionStrings:candidatesdb"] = await _postgres.ConnectionStringAsync("candidates"),
        ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        // Its events stay in its outbox: no other test's Matching is to receive this test's candidates.
        ["Messaging:DispatchOutbox"] = "false",
    }));

    private async Task<ServiceHost<EngagementsDbContext>> EngagementsAsync() => await StartAsync(new ServiceHost<EngagementsDbContext>(new Dictionary<string, string>
    {
        ["ConnectionStrings:engagementsdb"] = await _postgres.ConnectionStringAsync("engagements"),
        ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("engagements"),
        ["Messaging:DispatchOutbox"] = "false",
    }));

    private async Task<ServiceHost<MatchingDbContext>> MatchingAsync() => await StartAsync(new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
    {
        ["ConnectionStrings:matchingdb"] = await _postgres.ConnectionStringAsync("matching"),
        ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("matching"),
    }));

    private async Task<ServiceHost<GatewayDbContext>> GatewayAsync() => await StartAsync(new ServiceHost<GatewayDbContext>(new Dictionary<string, string>
    {
        ["ConnectionStrings:gatewaydb"] = await _postgres.ConnectionStringAsync("gateway"),
        ["Gateway:BootstrapKeys:0:Name"] = "outage-admin",
        ["Gateway:BootstrapKeys:0:Role"] = "admin",
        ["Gateway:BootstrapKeys:0:Key"] = $"outageadmin:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(AdminKey)))}",
    }));

    private static async Task<ServiceHost<T>> StartAsync<T>(ServiceHost<T> host) where T : class
    {
        await host.WaitUntilHealthyAsync();
        return host;
    }

    private async Task KillAsync()
    {
        using var timeout = new CancellationTokenSource(ServerTimeout);
        await _postgres.KillAsync(timeout.Token);
    }

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(ServerTimeout);
        await _postgres.StartAsync(timeout.Token);
    }

    private async Task RestartAsync()
    {
        using var timeout = new CancellationTokenSource(ServerTimeout);
        await _postgres.RestartAsync(timeout.Token);
    }
}
