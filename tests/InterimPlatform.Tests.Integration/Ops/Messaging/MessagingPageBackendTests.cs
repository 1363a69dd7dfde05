using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Ops.Messaging;
using InterimPlatform.Matching.Data;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Ops.Messaging;

/// <summary>
/// The Ops Messaging page's backend against a real RabbitMQ node: queues and failed messages read through the
/// management API, and failed messages moved back or discarded through the owning service's API (Matching,
/// in-process, as the gateway would reach it).
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class MessagingPageBackendTests(PlatformServers servers) : IAsyncLifetime
{
    private const string SourceQueue = "matching-candidate-registered";
    private const string ErrorQueue = SourceQueue + "_error";
    private ServiceHost<MatchingDbContext> _matching = null!;
    private BrokerQueues _broker = null!;
    private FailedMessageActions _actions = null!;
    private IConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _matching = new ServiceHost<MatchingDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:matchingdb"] = await servers.CreateDatabaseAsync("matching"),
            ["ConnectionStrings:messaging"] = servers.MessagingConnectionString,
        });
        await _matching.WaitUntilHealthyAsync();
        var node = servers.RabbitMQ;
        _broker = new BrokerQueues(new HttpClient(), Options.Create(new MessagingOptions
        {
            ManagementUrl = node.ManagementUri,
            UserName = node.UserName,
            Password = node.Password,
        }));
        // The in-process service's client carries the gateway's token, as a request through the gateway would.
        var throughGateway = _matching.CreateClient();
        _actions = new FailedMessageActions(throughGateway, Options.Create(new MessagingOptions
        {
            GatewayUrl = throughGateway.BaseAddress,
            AdminApiKey = "ipk.test.unused-by-the-service",
            Services = ["matching"],
        }), TimeProvider.System);
        _connection = await new ConnectionFactory { Uri = node.AmqpUri }.CreateConnectionAsync();
    }

    [Fact]
    public async Task Queues_are_listed_with_their_depth_and_failed_messages_are_peeked_in_place_with_their_reason()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var firstId = await PutFailedAsync(first, "the read model was locked");
        var secondId = await PutFailedAsync(second, "the consumer has a bug");

        // The management API's figures lag the broker by up to its 5 s statistics interval: both awaited together.
        var queues = await Eventually.GetAsync(
            async () => await _broker.ListAsync(CancellationToken.None) is var listed
                && listed.Any(q => q.Name == ErrorQueue && q.Depth >= 2)
                && listed.Any(q => q.Name == SourceQueue && q.Consumers >= 1) ? listed : null,
            TimeSpan.FromSeconds(30),
            "the error queue's depth and the source queue's consumer in the management API");
        var errorQueue = queues.Single(q => q.Name == ErrorQueue);
        var peeked = await _broker.PeekAsync(ErrorQueue, 50, CancellationToken.None);
        var again = await _broker.PeekAsync(ErrorQueue, 50, CancellationToken.None);

        Assert.True(errorQueue.IsErrorQueue);
        Assert.Equal(SourceQueue, errorQueue.SourceQueue);
        Assert.Contains(queues, q => q.Name == SourceQueue && !q.IsErrorQueue);
        var described = Assert.Single(peeked, m => m.MessageId == firstId);
        Assert.Equal("the read model was locked", described.Reason);
        Assert.Equal("Npgsql.NpgsqlException", described.ExceptionType);
        Assert.Contains(first.ToString(), described.Body, StringComparison.Ordinal);
        Assert.Contains(peeked, m => m.MessageId == secondId);
        Assert.Contains(again, m => m.MessageId == firstId); // peeking left them there

        await _actions.DiscardAsync(SourceQueue, firstId, CancellationToken.None);
        await _actions.DiscardAsync(SourceQueue, secondId, CancellationToken.None);
    }

    [Fact]
    public async Task A_message_moved_back_is_processed_by_its_service_and_a_discarded_one_is_gone_for_good()
    {
        var replayed = Guid.NewGuid();
        var discarded = Guid.NewGuid();
        var replayedId = await PutFailedAsync(replayed, "fixed since");
        var discardedId = await PutFailedAsync(discarded, "never valid");

        Assert.Equal("matching", await _actions.OwnerOfAsync(SourceQueue, CancellationToken.None));
        Assert.Null(await _actions.OwnerOfAsync("candidates-partner-intake", CancellationToken.None));

        var moved = await _actions.MoveBackAsync(SourceQueue, replayedId, CancellationToken.None);
        var gone = await _actions.DiscardAsync(SourceQueue, discardedId, CancellationToken.None);
        var twice = await _actions.DiscardAsync(SourceQueue, discardedId, CancellationToken.None);

        Assert.True(moved.Succeeded, moved.Message);
        Assert.Equal(1, moved.Count);
        Assert.True(gone.Succeeded, gone.Message);
        Assert.False(twice.Succeeded);
        Assert.Contains("no longer", twice.Message, StringComparison.Ordinal);
        // Matching consumed the moved message from its queue: the candidate is in its pool.
        var client = _matching.CreateClient();
        await Eventually.GetAsync(
            async () => (await client.GetAsync($"/api/matching/candidates/{replayed}")).IsSuccessStatusCode ? "found" : null,
            TimeSpan.FromSeconds(30),
            "the replayed candidate in Matching's pool");
        var left = await _broker.PeekAsync(ErrorQueue, 200, CancellationToken.None);
        Assert.DoesNotContain(left, m => m.MessageId == replayedId || m.MessageId == discardedId);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync($"/api/matching/candidates/{discarded}")).StatusCode);
    }

    [Fact]
    public async Task Without_an_owner_or_a_key_nothing_is_attempted()
    {
        var readOnly = new FailedMessageActions(new HttpClient(), Options.Create(new MessagingOptions()), TimeProvider.System);

        var refused = await readOnly.MoveBackAsync(SourceQueue, Guid.NewGuid().ToString(), CancellationToken.None);
        var unowned = await _actions.DiscardAsync("candidates-partner-intake", Guid.NewGuid().ToString(), CancellationToken.None);

        Assert.False(readOnly.IsConfigured);
        Assert.False(refused.Succeeded);
        Assert.False(unowned.Succeeded);
        Assert.Contains("No service owns", unowned.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Puts a CandidateRegistered into Matching's error queue as MassTransit leaves a message there after its
    /// last retry: the original envelope with the fault described in MT-Fault-* headers.
    /// </summary>
    private async Task<string> PutFailedAsync(Guid candidateId, string reason)
    {
        var messageId = Guid.NewGuid().ToString();
        var registered = new CandidateRegistered(
            candidateId,
            new CandidateProfile("Tove Replay", "NO", "Oslo", true, true, false, [new LanguageSkill("no", "native")], ["executive"], ["finance"], ["energy"], ["ifrs"], ["crisis"], [], 1500m, "EUR"),
            new CandidateAvailability(new DateOnly(2026, 12, 1), null, 14, 5),
            new CandidateVetting("sourced", null),
            DateTimeOffset.UtcNow);
        var envelope = new
        {
            messageId,
            messageType = new[] { "urn:message:InterimPlatform.Contracts.Candidates.V1:CandidateRegistered" },
            message = registered,
            sentTime = DateTimeOffset.UtcNow,
            headers = new Dictionary<string, object>(),
        };
        await using var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(ErrorQueue, durable: true, exclusive: false, autoDelete: false);
        var properties = new BasicProperties
        {
            MessageId = messageId,
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Reason"] = "fault",
                ["MT-Fault-ExceptionType"] = "Npgsql.NpgsqlException",
                ["MT-Fault-Message"] = reason,
                ["MT-Fault-Timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                ["MT-Fault-RetryCount"] = 4,
            },
        };
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(envelope, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        await channel.BasicPublishAsync("", ErrorQueue, mandatory: true, properties, body);
        return messageId;
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _matching.DisposeAsync();
    }
}
