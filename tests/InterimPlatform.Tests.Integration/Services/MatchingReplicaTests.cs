using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Data;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Matching.Shortlists;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Two Matching replicas on one database, competing for the same queues, as in production: each consumes only
/// part of the events, yet each one's in-memory index follows every committed change to the pool, and catches up
/// after losing the connection it follows changes on.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class MatchingReplicaTests(PlatformServers servers) : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly Start = Today.AddDays(14);
    private static readonly CandidateVetting Approved = new("approved", Today.AddYears(1));
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly CandidateProfile FinanceLeader = new(
        "Ingrid Dahl", "DE", "Hamburg", false, true, false,
        [new LanguageSkill("de", "native")],
        ["executive"], ["finance"], ["manufacturing"], ["restructuring", "ifrs"], ["crisis"], [], 1400m, "EUR");

    private static readonly MatchBrief Brief = new(
        "crisis", "senior-management", "finance", "manufacturing", "DE", false,
        [new LanguageRequirement("de", "professional")], ["restructuring"], ["ifrs"],
        Start, 26, 5, new DayRateBudget(1200, 1600, "EUR"));

    private readonly ConsumedMessages _consumedByFirst = new();
    private readonly ConsumedMessages _consumedBySecond = new();
    private string _database = "";
    private ServiceHost<MatchingDbContext> _first = null!;
    private ServiceHost<MatchingDbContext> _second = null!;

    public async Task InitializeAsync()
    {
        _database = await servers.CreateDatabaseAsync("matching");
        // One after the other: the first applies the migrations, the second finds them applied.
        _first = await StartReplicaAsync(_consumedByFirst);
        _second = await StartReplicaAsync(_consumedBySecond);
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    [Fact]
    public async Task Each_replica_indexes_every_candidate_whichever_replica_consumed_the_event_and_an_erasure_leaves_both()
    {
        var candidates = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            candidates.Add(await RegisterAsync(FinanceLeader with { FullName = $"Leader {i}" }));
        }

        // The point of the test: the broker shared the events out, so each replica's own consumers saw only some.
        var byFirst = candidates.Where(c => _consumedByFirst.Count(RegisteredMessage(c)) > 0).ToList();
        var bySecond = candidates.Where(c => _consumedBySecond.Count(RegisteredMessage(c)) > 0).ToList();
        Assert.NotEmpty(byFirst);
        Assert.NotEmpty(bySecond);

        foreach (var replica in Replicas)
        {
            await Eventually.GetAsync(
                async () => (await IndexAsync(replica)).Candidates == candidates.Count ? "all" : null, Patience, "each replica to index every candidate");
            Assert.Equal(candidates.Order(), Index(replica).Ids().Order());
        }

        // A ranking on each replica finds a candidate whose event only the other replica consumed.
        Assert.Contains(bySecond[0], (await RankAsync(_first)).Candidates.Select(c => c.CandidateId));
        Assert.Contains(byFirst[0], (await RankAsync(_second)).Candidates.Select(c => c.CandidateId));

        var erased = candidates[3];
        var erasure = await PublishAsync(new CandidateErased(erased, DateTimeOffset.UtcNow));
        var consumer = _consumedByFirst.Count(erasure) > 0 ? _first : _second;
        var other = consumer == _first ? _second : _first;
        await Eventually.GetAsync(
            () => Task.FromResult(Index(other).Find(erased) is null ? "gone" : null), Patience, "the erased candidate to leave the other replica's index");
        Assert.Null(Index(consumer).Find(erased));
        Assert.DoesNotContain(erased, (await RankAsync(other)).Candidates.Select(c => c.CandidateId));
        Assert.Equal(candidates.Count - 1, (await IndexAsync(other)).Candidates);
    }

    [Fact]
    public async Task A_killed_follow_connection_is_reopened_and_the_index_reconciled_with_the_changes_it_was_not_told_about()
    {
        var renamed = await RegisterAsync(FinanceLeader with { FullName = "Before Quiet Rename" });
        var gone = await RegisterAsync(FinanceLeader with { FullName = "Quietly Erased" });
        var added = Guid.NewGuid();
        foreach (var replica in Replicas)
        {
            await Eventually.GetAsync(async () => (await IndexAsync(replica)).Candidates == 2 ? "both" : null, Patience, "both candidates in each index");
            Assert.Equal((true, 0), await FollowingAsync(replica));
        }

        // Another writer changes the pool with its triggers off, so no replica hears of it: only a
        // reconciliation can bring these changes in.
        await ExecuteAsync(
            """
            SET session_replication_role = replica;
            UPDATE pool_candidates SET profile = jsonb_set(profile, '{fullName}', '"After Quiet Rename"') WHERE candidate_id = @renamed;
            UPDATE pool_candidates SET erased = TRUE, profile = NULL WHERE candidate_id = @gone;
            INSERT INTO pool_candidates
            SELECT (jsonb_populate_record(NULL::pool_candidates, to_jsonb(p) || jsonb_build_object('candidate_id', @added, 'profile', jsonb_set(p.profile, '{fullName}', '"Quietly Added"')))).*
            FROM pool_candidates p WHERE candidate_id = @renamed;
            """,
            ("renamed", renamed), ("gone", gone), ("added", added));
        foreach (var replica in Replicas)
        {
            Assert.Equal("Before Quiet Rename", Index(replica).Find(renamed)?.FullName);
            Assert.NotNull(Index(replica).Find(gone));
            Assert.Null(Index(replica).Find(added));
        }

        var terminated = await ExecuteAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{PoolChangeFollower.ApplicationName}' AND datname = current_database()");
        Assert.Equal(2, terminated); // one follow connection per replica

        foreach (var replica in Replicas)
        {
            await Eventually.GetAsync(
                async () => await FollowingAsync(replica) is (true, >= 1) ? "reconciled" : null, Patience, "each replica to reconnect and reconcile");
            Assert.Equal("After Quiet Rename", Index(replica).Find(renamed)?.FullName);
            Assert.Null(Index(replica).Find(gone));
            Assert.Equal("Quietly Added", Index(replica).Find(added)?.FullName);
            var view = await IndexAsync(replica);
            Assert.Equal(2, view.Candidates);
            Assert.NotNull(view.LastReconciledAt);
            Assert.Null(view.NotFollowingSince);
        }

        // And it follows changes again: one made by another writer with the triggers on reaches both indexes.
        await ExecuteAsync(
            "UPDATE pool_candidates SET profile = jsonb_set(profile, '{fullName}', '\"After Loud Rename\"') WHERE candidate_id = @renamed",
            ("renamed", renamed));
        foreach (var replica in Replicas)
        {
            await Eventually.GetAsync(
                () => Task.FromResult(Index(replica).Find(renamed)?.FullName == "After Loud Rename" ? "renamed" : null), Patience, "the change to reach each index");
            using var health = JsonDocument.Parse(await replica.CreateClient().GetStringAsync("/health"));
            Assert.Equal("Healthy", health.RootElement.GetProperty("checks").GetProperty("ranking-index").GetProperty("status").GetString());
        }
    }

    private IEnumerable<ServiceHost<MatchingDbContext>> Replicas => [_first, _second];

    private static CandidateIndex Index(ServiceHost<MatchingDbContext> replica) => replica.Services.GetRequiredService<CandidateIndex>();

    private static async Task<IndexView> IndexAsync(ServiceHost<MatchingDbContext> replica) =>
        (await replica.CreateClient().GetFromJsonAsync<IndexView>("/api/matching/index"))!;

    private static async Task<(bool Following, int Reconciliations)> FollowingAsync(ServiceHost<MatchingDbContext> replica)
    {
        var view = await IndexAsync(replica);
        return (view.FollowingChanges, view.Reconciliations);
    }

    private static async Task<ShortlistView> RankAsync(ServiceHost<MatchingDbContext> replica)
    {
        var response = await replica.CreateClient().PostAsJsonAsync("/api/matching/rankings", new RankingRequestBody(Brief, 50));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ShortlistView>())!;
    }

    private async Task<ServiceHost<MatchingDbContext>> StartReplicaAsync(ConsumedMessages consumed)
    {
        var replica = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = _database,
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("matching"),
        });
        await replica.WaitUntilHealthyAsync();
        replica.Services.GetRequiredService<IBus>().ConnectConsumeObserver(consumed);
        return replica;
    }

    private readonly Dictionary<Guid, Guid> _registrations = [];

    private Guid RegisteredMessage(Guid candidateId) => _registrations[candidateId];

    private async Task<Guid> RegisterAsync(CandidateProfile profile)
    {
        var candidateId = Guid.NewGuid();
        _registrations[candidateId] = await PublishAsync(
            new CandidateRegistered(candidateId, profile, new CandidateAvailability(Today, null, 0, 5), Approved, DateTimeOffset.UtcNow));
        return candidateId;
    }

    /// <summary>Publishes and waits until either replica has consumed the message; returns its message id.</summary>
    private async Task<Guid> PublishAsync<T>(T message) where T : class
    {
        var id = NewId.NextGuid();
        await servers.OtherServices.Publish(message, context => context.MessageId = id);
        await Eventually.GetAsync(
            () => Task.FromResult(_consumedByFirst.Count(id) + _consumedBySecond.Count(id) > 0 ? "consumed" : null), Patience, $"message {id} to be consumed");
        return id;
    }

    /// <summary>Runs SQL on the replicas' database as another writer would; returns the rows affected or selected.</summary>
    private async Task<int> ExecuteAsync(string sql, params (string Name, Guid Value)[] parameters)
    {
        // Unpooled: the session settings it may change (session_replication_role) die with it.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        if (sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            var rows = 0;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
            }

            return rows;
        }

        return await command.ExecuteNonQueryAsync();
    }
}
