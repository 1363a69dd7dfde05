using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using PartnerPush;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Operating Candidates' error queues through its API, against real RabbitMQ and PostgreSQL: the partner intake's
/// rejections (who sent them, when, why; discard only), replay and discard of selected messages, and the
/// <c>partner-intake</c> health check and rejection-ratio gauge.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class PartnerIntakeOperationsTests(PlatformServers servers) : IAsyncLifetime
{
    private const string Globalise = "globalise";
    private const string Api = "/api/candidates/messaging/error-queues";
    // A replayable queue of the test's own, operated as a service registers one: replayed messages wait there,
    // unconsumed, so the test sees exactly which arrived.
    private readonly string _replayable = "candidates-ops-test-" + Guid.NewGuid().ToString("N")[..8];
    // Registered, but its error queue never declared: nothing has failed there yet.
    private readonly string _neverFailed = "candidates-ops-never-failed-" + Guid.NewGuid().ToString("N")[..8];
    private ServiceHost<CandidatesDbContext> _service = null!;
    private HttpClient _client = null!;
    private IConnection _admin = null!;
    private IConnection _partner = null!;
    private IChannel _partnerChannel = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(
            new Dictionary<string, string>
            {
                ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
                ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
                // Low, so a handful of rejections degrade the check, and read often, so the test need not wait 15 s.
                ["PartnerIntake:RejectionRatioThreshold"] = "0.5",
                ["PartnerIntake:RejectionRatioMinimumMessages"] = "3",
                ["PartnerIntake:HealthRefreshInterval"] = "00:00:00.500",
            },
            services => services
                .AddOperatedQueue(_replayable, ServiceQueues.ErrorQueueOf(_replayable))
                .AddOperatedQueue(_neverFailed, ServiceQueues.ErrorQueueOf(_neverFailed)));
        await _service.WaitUntilHealthyAsync();
        _client = _service.CreateClient();
        _admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using (var channel = await _admin.CreateChannelAsync())
        {
            await channel.QueuePurgeAsync(PartnerTopology.IntakeErrorQueue);
            await channel.QueueDeclareAsync(_replayable, durable: true, exclusive: false, autoDelete: false);
            // A replay goes through the exchange of the queue's name, as MassTransit declares one for each receive queue.
            await channel.ExchangeDeclareAsync(_replayable, ExchangeType.Fanout, durable: true);
            await channel.QueueBindAsync(_replayable, _replayable, "");
            await channel.QueueDeclareAsync(ServiceQueues.ErrorQueueOf(_replayable), durable: true, exclusive: false, autoDelete: false);
        }

        _partner = await new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = servers.RabbitMQ.AmqpPort,
            UserName = Globalise,
            Password = servers.PartnerPasswords[Globalise],
        }.CreateConnectionAsync();
        _partnerChannel = await _partner.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await _partnerChannel.QueuePurgeAsync(PartnerTopology.ReceiptsQueue(Globalise));
    }

    [Fact]
    public async Task A_rejected_partner_message_shows_who_sent_it_when_and_why_and_is_discarded_but_never_replayed()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var messageId = await PushInvalidAsync(1);

        var peeked = await Eventually.GetAsync(
            async () => (await PeekAsync(PartnerTopology.IntakeQueue)).EnumerateArray().ToList() is { Count: > 0 } messages ? messages : null,
            TimeSpan.FromSeconds(30),
            "the rejected message in the partner intake's error queue");
        var listed = await _client.GetFromJsonAsync<JsonElement>(Api);

        var rejected = Assert.Single(peeked);
        Assert.Equal(messageId, rejected.GetProperty("messageId").GetString());
        Assert.Equal(Globalise, rejected.GetProperty("partner").GetString());
        Assert.InRange(rejected.GetProperty("failedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.StartsWith("schemaVersion: '2.0' is not supported", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var partnerQueue = Assert.Single(listed.EnumerateArray(), q => q.GetProperty("queue").GetString() == PartnerTopology.IntakeQueue);
        Assert.Equal(PartnerTopology.IntakeErrorQueue, partnerQueue.GetProperty("errorQueue").GetString());
        Assert.Equal(1u, partnerQueue.GetProperty("messages").GetUInt32());
        Assert.False(partnerQueue.GetProperty("replayable").GetBoolean());
        Assert.Equal(PartnerIntakeRegistration.NotReplayableBecause, partnerQueue.GetProperty("notReplayableBecause").GetString());
        Assert.Contains(listed.EnumerateArray(), q => q.GetProperty("queue").GetString() == _replayable && q.GetProperty("replayable").GetBoolean()
            && q.GetProperty("notReplayableBecause").ValueKind == JsonValueKind.Null);

        // A replay, of the message or of the whole queue, is refused and changes nothing.
        foreach (var refused in new[]
        {
            await _client.PostAsJsonAsync($"{Api}/{PartnerTopology.IntakeQueue}/replay", new { messageIds = new[] { messageId } }),
            await _client.PostAsync($"{Api}/{PartnerTopology.IntakeQueue}/replay", null),
            await _client.PostAsync($"{Api}/{PartnerTopology.IntakeQueue}/messages/{messageId}/replay", null),
        })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal(PartnerIntakeRegistration.NotReplayableBecause, (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        }

        Assert.Equal(messageId, Assert.Single((await PeekAsync(PartnerTopology.IntakeQueue)).EnumerateArray()).GetProperty("messageId").GetString());

        var discarded = await _client.PostAsJsonAsync($"{Api}/{PartnerTopology.IntakeQueue}/discard", new { messageIds = new[] { messageId, "not-in-the-queue" } });

        discarded.EnsureSuccessStatusCode();
        var result = await discarded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("count").GetInt32());
        Assert.Equal(["not-in-the-queue"], result.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty((await PeekAsync(PartnerTopology.IntakeQueue)).EnumerateArray());
    }

    [Fact]
    public async Task Replay_and_discard_of_selected_ids_act_on_those_only_in_one_pass_and_name_the_ids_not_found()
    {
        var ids = new[] { "failed-a", "failed-b", "failed-c", "failed-d" }.Select(id => $"{id}-{Guid.NewGuid():N}").ToArray();
        foreach (var id in ids)
        {
            await PutFailedAsync(id);
        }

        var replayed = await _client.PostAsJsonAsync($"{Api}/{_replayable}/replay", new FailedMessageSelection([ids[0], ids[2], "missing"]));
        var discarded = await _client.PostAsJsonAsync($"{Api}/{_replayable}/discard", new FailedMessageSelection([ids[1], ids[1], "gone"]));

        var replayResult = (await replayed.Content.ReadFromJsonAsync<ErrorQueueActionResult>())!;
        Assert.Equal(2, replayResult.Count);
        Assert.Equal(["missing"], replayResult.NotFound);
        var discardResult = (await discarded.Content.ReadFromJsonAsync<ErrorQueueActionResult>())!;
        Assert.Equal(1, discardResult.Count);
        Assert.Equal(["gone"], discardResult.NotFound);
        // Only the selected ones moved, without the fault's headers; the one left over is still in place.
        var arrived = await DrainAsync(_replayable);
        Assert.Equal([ids[0], ids[2]], arrived.Select(m => m.BasicProperties.MessageId));
        Assert.All(arrived, m => Assert.DoesNotContain(m.BasicProperties.Headers!.Keys, k => k.StartsWith("MT-Fault-", StringComparison.Ordinal)));
        Assert.Equal([ids[3]], (await PeekAsync(_replayable)).EnumerateArray().Select(m => m.GetProperty("messageId").GetString()));

        // No body: everything that waited.
        var all = await _client.PostAsync($"{Api}/{_replayable}/discard", null);
        var allResult = (await all.Content.ReadFromJsonAsync<ErrorQueueActionResult>())!;
        Assert.Equal(1, allResult.Count);
        Assert.Empty(allResult.NotFound);
        Assert.Empty((await PeekAsync(_replayable)).EnumerateArray());
    }

    [Fact]
    public async Task A_queue_whose_error_queue_does_not_exist_yet_has_nothing_to_show_or_act_on_and_an_unknown_queue_is_404()
    {
        var listed = await _client.GetFromJsonAsync<List<ErrorQueueSummary>>(Api);
        var peeked = await PeekAsync(_neverFailed);
        var replayed = await _client.PostAsJsonAsync($"{Api}/{_neverFailed}/replay", new FailedMessageSelection(["m-1"]));
        var discarded = await _client.PostAsync($"{Api}/{_neverFailed}/discard", null);
        var unknown = await _client.PostAsync($"{Api}/no-such-queue/discard", null);

        Assert.Equal(0u, Assert.Single(listed!, q => q.Queue == _neverFailed).Messages);
        Assert.Empty(peeked.EnumerateArray());
        var replayResult = (await replayed.Content.ReadFromJsonAsync<ErrorQueueActionResult>())!;
        Assert.Equal(0, replayResult.Count);
        Assert.Equal(["m-1"], replayResult.NotFound);
        Assert.Equal(0, (await discarded.Content.ReadFromJsonAsync<ErrorQueueActionResult>())!.Count);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_intake_turns_degraded_when_a_partners_rejections_pass_the_threshold_and_names_the_partner()
    {
        var meters = _service.Services.GetRequiredService<IMeterFactory>();
        var counted = new ConcurrentBag<(string[] Tags, string? Status)>();
        var ratios = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name is "interimplatform.partner_intake.messages" or PartnerIntakeMonitor.RejectionRatioGauge)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            counted.Add(([.. tags.ToArray().Select(t => t.Key).Order(StringComparer.Ordinal)], tags.ToArray().FirstOrDefault(t => t.Key == "status").Value as string)));
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "partner" && tag.Value is string partner)
                {
                    ratios[partner] = value;
                }
            }
        });
        listener.Start();
        var healthy = await PartnerIntakeCheckAsync();

        for (var i = 0; i < 4; i++)
        {
            await PushInvalidAsync(100 + i);
        }

        // Three are already enough to degrade it: wait for the reading that has all four.
        const string Expected = "globalise: 100% of 4 messages rejected in the last 15 minutes (threshold 50%)";
        var degraded = await Eventually.GetAsync(
            async () => await PartnerIntakeCheckAsync() is { Status: "Degraded", Description: Expected } check ? check : null,
            TimeSpan.FromSeconds(30),
            "the partner-intake check to turn degraded with all four rejections");
        listener.RecordObservableInstruments();

        Assert.Equal("Healthy", healthy.Status);
        Assert.Equal(HttpStatusCode.OK, degraded.HttpStatus); // degraded, but the service serves: the gateway's failover reads the status code
        Assert.Equal(1.0, ratios[Globalise]);
        Assert.Equal(4, counted.Count);
        Assert.All(counted, c => Assert.Equal(["partner", "status"], c.Tags));
        Assert.All(counted, c => Assert.Equal(ReceiptStatus.Rejected, c.Status));
    }

    [Fact]
    public async Task The_api_reference_documents_the_selection_body_with_an_example_and_the_answers()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        foreach (var action in new[] { "replay", "discard" })
        {
            var post = paths.GetProperty($"{Api}/{{queue}}/{action}").GetProperty("post");
            Assert.False(string.IsNullOrEmpty(post.GetProperty("summary").GetString()));
            var body = post.GetProperty("requestBody");
            Assert.False(body.TryGetProperty("required", out var required) && required.GetBoolean()); // no body: the whole queue
            var example = body.GetProperty("content").GetProperty("application/json").GetProperty("example");
            Assert.Equal(2, example.GetProperty("messageIds").GetArrayLength());
            Assert.True(post.GetProperty("responses").TryGetProperty("503", out _));
        }

        Assert.True(paths.GetProperty($"{Api}/{{queue}}/replay").GetProperty("post").GetProperty("responses").TryGetProperty("409", out _));
    }

    private sealed record Check(HttpStatusCode HttpStatus, string? Status, string? Description);

    private async Task<Check> PartnerIntakeCheckAsync()
    {
        using var response = await _client.GetAsync("/health");
        var check = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty(PartnerIntakeHealthCheck.Name);
        return new Check(response.StatusCode, check.GetProperty("status").GetString(), check.GetProperty("description").GetString());
    }

    private async Task<JsonElement> PeekAsync(string queue)
    {
        using var response = await _client.GetAsync($"{Api}/{queue}/messages?take=50");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A message the intake rejects (an unsupported schema version), pushed by the partner over AMQP with its own user; its receipt awaited.</summary>
    private async Task<string> PushInvalidAsync(int person)
    {
        var message = SampleCandidates.Upsert(Globalise, person, DateTimeOffset.UtcNow);
        message["schemaVersion"] = "2.0";
        var messageId = message["messageId"]!.GetValue<string>();
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = Globalise, MessageId = messageId };
        await _partnerChannel.BasicPublishAsync(PartnerTopology.IntakeExchange, Globalise, mandatory: false, properties, Encoding.UTF8.GetBytes(message.ToJsonString()));
        await Eventually.GetAsync(
            async () => await _partnerChannel.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: true) is { } receipt
                && JsonSerializer.Deserialize<PartnerReceipt>(receipt.Body.Span, JsonSerializerOptions.Web) is { } read
                && read.MessageId?.ToString() == messageId ? read : null,
            TimeSpan.FromSeconds(30),
            $"the receipt of {messageId}");
        return messageId;
    }

    /// <summary>A message in the test queue's error queue as MassTransit leaves one after its last retry.</summary>
    private async Task PutFailedAsync(string messageId)
    {
        await using var channel = await _admin.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            MessageId = messageId,
            Persistent = true,
            Headers = new Dictionary<string, object?>
            {
                ["MT-Reason"] = "fault",
                ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
                ["MT-Fault-Message"] = "the consumer has a bug",
                ["MT-Fault-Timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                ["MT-Fault-RetryCount"] = 4,
            },
        };
        await channel.BasicPublishAsync("", ServiceQueues.ErrorQueueOf(_replayable), mandatory: true, properties, Encoding.UTF8.GetBytes(new JsonObject { ["id"] = messageId }.ToJsonString()));
    }

    private async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        await using var channel = await _admin.CreateChannelAsync();
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    public async Task DisposeAsync()
    {
        await using (var channel = await _admin.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(_replayable);
            await channel.QueueDeleteAsync(ServiceQueues.ErrorQueueOf(_replayable));
        }

        await _partnerChannel.DisposeAsync();
        await _partner.DisposeAsync();
        await _admin.DisposeAsync();
        await _service.DisposeAsync();
    }
}
