using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Hosting.State;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Hosting.Processes;
using InterimPlatform.Hosting.Servers;
using InterimPlatform.Tests.Integration.Infrastructure;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Matching.Shortlists;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// A service whose PostgreSQL is killed (kill -9, no goodbye to its clients) and comes back on the same port:
/// while it is down a request is a 503 problem saying to retry, never a 500; once it is back, requests succeed
/// again at once, although the pool still held the dead server's connections. Matching's index goes on ranking
/// on what it holds, and once the server is back it follows changes again and reloads what it missed.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class DatabaseOutageTests(PlatformServers servers) : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-outage-" + Guid.NewGuid().ToString("N")[..8]);
    private PostgresServerOptions _options = null!;
    private PostgresBinaries _binaries = null!;
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync()
    {
        _binaries = await ServerBinaries.FindPostgresAsync(_ => { }, CancellationToken.None);
        _options = new PostgresServerOptions(_directory, InterimPlatform.Hosting.Processes.PortAllocator.GetFreePort(), PlatformSecrets.Generate()) { Ephemeral = true };
        _postgres = await StartPostgresAsync();
        await _postgres.EnsureDatabaseAsync("candidates", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Requests_while_the_database_is_killed_and_after_it_restarts_are_503s_or_answers_never_500s()
    {
        await using var service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = _postgres.GetConnectionString("candidates"),
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await service.WaitUntilHealthyAsync();
        var client = service.CreateClient();
        // Several connections in the pool, as a busy service has.
        var warm = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync("/api/candidates?pageSize=1")));
        Assert.All(warm, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));

        // kill -9 of the whole server and a new one on the same port before any request notices: the pool still
        // holds the dead server's connections.
        await KillPostgresAsync();
        _postgres = await StartPostgresAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await client.GetAsync("/api/candidates?pageSize=1")).StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
        // At most one request may meet the dead server's connections.
        Assert.True(statuses.Count(s => s != HttpStatusCode.OK) <= 1, string.Join(", ", statuses));

        // While it is down: a problem that says to retry.
        await KillPostgresAsync();
        var down = await client.GetAsync("/api/candidates?pageSize=1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        Assert.True(down.Headers.RetryAfter is not null, "a 503 says when to retry");
        // A request that met a pooled connection to the dead server cannot know what happened ("unknown"); once
        // the pool is cleared, connections are refused and nothing can have been written ("not-applied").
        var outcomes = new List<string?> { (await down.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString() };
        for (var i = 0; i < 3; i++)
        {
            var again = await client.GetAsync("/api/candidates?pageSize=1");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
            outcomes.Add((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        }

        Assert.All(outcomes, o => Assert.Contains(o, new[] { "not-applied", "unknown" }));
        Assert.Equal("not-applied", outcomes[^1]);

        _postgres = await StartPostgresAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/candidates?pageSize=1")).StatusCode);
    }

    [Fact]
    public async Task Matching_s_index_follows_the_pool_again_after_the_database_is_killed_and_restarted_and_reconciles_what_it_missed()
    {
        await _postgres.EnsureDatabaseAsync("matching", CancellationToken.None);
        var database = _postgres.GetConnectionString("matching");
        // The pool is counted below: events about people other test classes registered while no Matching ran wait
        // in its queues (any of them adds the person to the pool).
        foreach (var queue in new[] { "registered", "profile-changed", "availability-changed", "vetting-changed", "erased" })
        {
            await PurgeIfDeclaredAsync("matching-candidate-" + queue);
        }
        await using var service = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = database,
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await service.WaitUntilHealthyAsync();
        var consumed = new ConsumedMessages();
        var bus = service.Services.GetRequiredService<IBus>();
        bus.ConnectConsumeObserver(consumed);
        var index = service.Services.GetRequiredService<CandidateIndex>();
        var candidateId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await bus.Publish(
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

        await KillPostgresAsync();
        var client = service.CreateClient();
        var down = await Eventually.GetAsync(
            async () => await client.GetFromJsonAsync<IndexView>("/api/matching/index") is { FollowingChanges: false } view ? view : null,
            TimeSpan.FromSeconds(30),
            "the index to report that it no longer follows changes");
        Assert.NotNull(down.NotFollowingSince);
        Assert.Equal("Before The Outage", index.Find(candidateId)?.FullName); // still ranks on what it had

        _postgres = await StartPostgresAsync();
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

    private async Task KillPostgresAsync()
    {
        // Its whole process group at once: the clients' sockets simply close.
        Process.Start("kill", ["-s", "KILL", "--", $"-{_postgres.Process.ProcessId}"])!.WaitForExit();
        await _postgres.Process.Exited;
    }

    private async Task<PostgresServer> StartPostgresAsync()
    {
        var server = await PostgresServer.StartAsync(_binaries, _options, ProcessWatchdog.Shared, _ => { }, CancellationToken.None);
        await server.WaitUntilReadyAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        return server;
    }
}
