using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerPush;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>Partners pushing candidates with a plain AMQP client, as a partner in any language would.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class PartnerIntakeTests(PlatformServers servers) : IAsyncLifetime
{
    private const string Globalise = "globalise";
    private ServiceHost<CandidatesDbContext> _service = null!;
    private IConnection _partner = null!;
    private IChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
        });
        await _service.WaitUntilHealthyAsync();
        _partner = await ConnectAsync(Globalise);
        _channel = await _partner.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await _channel.QueuePurgeAsync(PartnerTopology.ReceiptsQueue(Globalise));
        await using var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using var adminChannel = await admin.CreateChannelAsync();
        await adminChannel.QueuePurgeAsync(PartnerTopology.IntakeErrorQueue);
    }

    [Fact]
    public async Task A_pushed_candidate_is_registered_once_however_often_the_message_arrives()
    {
        var message = SampleCandidates.Upsert(Globalise, 1, DateTimeOffset.UtcNow);

        await PublishAsync(message);
        await PublishAsync(message);
        var receipts = await ReceiptsAsync(2);

        Assert.Equal([ReceiptStatus.Accepted, ReceiptStatus.Duplicate], receipts.Select(r => r.Status));
        Assert.All(receipts, r => Assert.Equal(receipts[0].CandidateId, r.CandidateId));
        var candidate = await GetAsync(receipts[0].CandidateId!.Value);
        Assert.Equal(message["candidate"]!["fullName"]!.GetValue<string>(), candidate.FullName);
        Assert.Equal("partner", candidate.Privacy.Source);
        Assert.Equal("globalise-0000001", candidate.Privacy.PartnerPersonId);
        Assert.NotNull(candidate.Privacy.PartnerNoticeDueBy);
        Assert.Equal(1, await CountAsync(c => c.PartnerPersonId == "globalise-0000001"));
    }

    [Fact]
    public async Task The_same_person_maps_to_the_same_candidate_and_an_older_update_is_ignored()
    {
        var now = DateTimeOffset.UtcNow;
        var first = SampleCandidates.Upsert(Globalise, 2, now);
        var newer = SampleCandidates.Upsert(Globalise, 2, now.AddMinutes(2));
        newer["candidate"]!["fullName"] = "Renamed By Newer";
        var older = SampleCandidates.Upsert(Globalise, 2, now.AddMinutes(1));
        older["candidate"]!["fullName"] = "Renamed By Older";

        await PublishAsync(first);
        await PublishAsync(newer);
        await PublishAsync(older);
        var receipts = await ReceiptsAsync(3);

        Assert.Equal([ReceiptStatus.Accepted, ReceiptStatus.Accepted, ReceiptStatus.Stale], receipts.Select(r => r.Status));
        Assert.Single(receipts.Select(r => r.CandidateId).Distinct());
        Assert.Equal("Renamed By Newer", (await GetAsync(receipts[0].CandidateId!.Value)).FullName);
    }

    [Fact]
    public async Task Bad_messages_in_the_middle_of_a_batch_are_rejected_with_reasons_and_lose_nothing_valid()
    {
        var now = DateTimeOffset.UtcNow;
        var wrongVersion = SampleCandidates.Upsert(Globalise, 11, now);
        wrongVersion["schemaVersion"] = "2.0";
        var missingFields = SampleCandidates.Upsert(Globalise, 12, now);
        missingFields["candidate"]!.AsObject().Remove("fullName");
        missingFields["candidate"]!["location"]!["country"] = "Norway";
        var otherPartner = SampleCandidates.Upsert(Globalise, 13, now);
        otherPartner["partnerId"] = "nordic-interim";
        var tooLarge = SampleCandidates.Upsert(Globalise, 14, now);
        tooLarge["candidate"]!["summary"] = new string('x', PartnerTopology.MaxMessageBytes);

        await PublishAsync(SampleCandidates.Upsert(Globalise, 10, now));
        await PublishRawAsync("this is not JSON"u8.ToArray());
        await PublishAsync(wrongVersion);
        await PublishAsync(missingFields);
        await PublishAsync(otherPartner);
        await PublishAsync(tooLarge);
        await PublishAsync(SampleCandidates.Upsert(Globalise, 15, now));
        var receipts = await ReceiptsAsync(7);

        Assert.Equal(2, receipts.Count(r => r.Status == ReceiptStatus.Accepted));
        Assert.Equal(2, await CountAsync(c => c.PartnerPersonId == "globalise-0000010" || c.PartnerPersonId == "globalise-0000015"));
        var rejected = receipts.Where(r => r.Status == ReceiptStatus.Rejected).ToList();
        Assert.Equal(5, rejected.Count);
        Assert.Contains(rejected, r => r.Reasons.Any(m => m.Contains("Not valid JSON", StringComparison.Ordinal)));
        Assert.Contains(rejected, r => r.Reasons.Any(m => m.StartsWith("schemaVersion:", StringComparison.Ordinal)));
        var incomplete = Assert.Single(rejected, r => r.PartnerPersonId == "globalise-0000012");
        Assert.Contains(incomplete.Reasons, m => m.StartsWith("candidate.fullName:", StringComparison.Ordinal));
        Assert.Contains(incomplete.Reasons, m => m.StartsWith("candidate.location.country:", StringComparison.Ordinal));
        Assert.Contains(rejected, r => r.Reasons.Any(m => m.Contains("does not match the sending user", StringComparison.Ordinal)));
        Assert.Contains(rejected, r => r.Reasons.Any(m => m.Contains("bytes; the limit is", StringComparison.Ordinal)));

        await using var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using var adminChannel = await admin.CreateChannelAsync();
        var errors = new List<(string Reasons, string Partner, DateTimeOffset RejectedAt)>();
        while (await adminChannel.BasicGetAsync(PartnerTopology.IntakeErrorQueue, autoAck: true) is { } failed)
        {
            string Header(string name) => Encoding.UTF8.GetString((byte[])failed.BasicProperties.Headers![name]!);
            errors.Add((Header("x-rejection-reasons"), Header("x-partner"), DateTimeOffset.Parse(Header("x-rejected-at"), System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(5, errors.Count);
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reasons)));
        // Who sent it (the broker-validated user_id, also for the message that claimed another partnerId) and when.
        Assert.All(errors, e => Assert.Equal(Globalise, e.Partner));
        Assert.All(errors, e => Assert.Equal(TimeSpan.Zero, e.RejectedAt.Offset));
        Assert.All(errors, e => Assert.InRange(e.RejectedAt, now.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [Fact]
    public async Task A_rejected_message_that_arrives_again_gets_its_receipt_again_but_is_in_the_error_queue_once()
    {
        var wrongVersion = SampleCandidates.Upsert(Globalise, 21, DateTimeOffset.UtcNow);
        wrongVersion["schemaVersion"] = "7.0";

        // The second arrival stands for a redelivery after a crash between the error copy and the acknowledgement.
        // The AMQP message id is the partner's to choose: a long one (AMQP allows 255 bytes) is remembered too.
        var body = Encoding.UTF8.GetBytes(wrongVersion.ToJsonString());
        var messageId = "partner-message-" + new string('7', 230);
        await PublishRawAsync(body, messageId);
        var first = await ReceiptsAsync(1);
        await PublishRawAsync(body, messageId);
        var second = await ReceiptsAsync(1);

        Assert.Equal(ReceiptStatus.Rejected, Assert.Single(first).Status);
        Assert.Equal(ReceiptStatus.Rejected, Assert.Single(second).Status);
        await using var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using var adminChannel = await admin.CreateChannelAsync();
        var copies = new List<string?>();
        while (await adminChannel.BasicGetAsync(PartnerTopology.IntakeErrorQueue, autoAck: true) is { } failed)
        {
            copies.Add(failed.BasicProperties.MessageId);
        }

        Assert.Equal([messageId], copies);
    }

    [Fact]
    public async Task A_message_too_broken_to_read_is_answered_under_its_AMQP_message_id()
    {
        var notJson = Guid.NewGuid().ToString();
        var noMessageId = SampleCandidates.Upsert(Globalise, 16, DateTimeOffset.UtcNow);
        noMessageId.Remove("messageId");
        var missingId = Guid.NewGuid().ToString();

        await PublishRawAsync("this is not JSON"u8.ToArray(), notJson);
        await PublishRawAsync(Encoding.UTF8.GetBytes(noMessageId.ToJsonString()), missingId);

        var answered = new Dictionary<string, PartnerReceipt>();
        await Eventually.GetAsync(
            async () =>
            {
                while (await _channel.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: true) is { } delivery)
                {
                    answered[delivery.BasicProperties.CorrelationId ?? ""] = JsonSerializer.Deserialize<PartnerReceipt>(delivery.Body.Span, JsonSerializerOptions.Web)!;
                }

                return answered.ContainsKey(notJson) && answered.ContainsKey(missingId) ? answered : null;
            },
            TimeSpan.FromSeconds(30),
            "receipts correlated with both messages");
        Assert.Equal(ReceiptStatus.Rejected, answered[notJson].Status);
        Assert.Equal(Guid.Parse(notJson), answered[notJson].MessageId);
        Assert.Equal(ReceiptStatus.Rejected, answered[missingId].Status);
        Assert.Equal(Guid.Parse(missingId), answered[missingId].MessageId);
    }

    [Fact]
    public async Task Messages_that_ask_for_batched_receipts_are_answered_together_the_others_one_by_one()
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(60, 3).Select(i => SampleCandidates.Upsert(Globalise, i, now)).ToList();
        var missingName = SampleCandidates.Upsert(Globalise, 63, now);
        missingName["candidate"]!.AsObject().Remove("fullName");
        var notJson = Guid.NewGuid().ToString();
        var single = SampleCandidates.Upsert(Globalise, 64, now);

        await PublishAsync(valid[0], ReceiptForm.Batch);
        await PublishAsync(missingName, ReceiptForm.Batch);
        await PublishAsync(valid[1], "Batch.V1");
        // Too broken to read, yet answered in its batch: the header travels in the AMQP properties.
        await PublishRawAsync("this is not JSON"u8.ToArray(), notJson, ReceiptForm.Batch);
        await PublishAsync(single);
        await PublishAsync(valid[2], ReceiptForm.Batch);
        var answered = await ReceiptMessagesAsync(m => m.Count(r => r.Type == ReceiptForm.SingleType) >= 1 && BatchedReceipts(m).Count() >= 5, "5 batched receipts and 1 single");

        var batches = answered.Where(m => m.Type == ReceiptForm.BatchType).Select(m => JsonSerializer.Deserialize<PartnerReceiptBatch>(m.Body, JsonSerializerOptions.Web)!).ToList();
        Assert.All(batches, b => Assert.Equal((PartnerReceiptBatch.Version, Globalise), (b.SchemaVersion, b.PartnerId)));
        var batched = BatchedReceipts(answered).ToList();
        // Exactly the messages that asked, in the order they arrived.
        Assert.Equal(
            [Id(valid[0]), Id(missingName), Id(valid[1]), Guid.Parse(notJson), Id(valid[2])],
            batched.Select(r => r.MessageId!.Value));
        Assert.Equal(
            [ReceiptStatus.Accepted, ReceiptStatus.Rejected, ReceiptStatus.Accepted, ReceiptStatus.Rejected, ReceiptStatus.Accepted],
            batched.Select(r => r.Status));
        Assert.Contains(batched[1].Reasons, m => m.StartsWith("candidate.fullName:", StringComparison.Ordinal));
        Assert.Contains(batched[3].Reasons, m => m.Contains("Not valid JSON", StringComparison.Ordinal));
        var one = Assert.Single(answered, m => m.Type == ReceiptForm.SingleType);
        Assert.Equal(single["messageId"]!.GetValue<string>(), one.CorrelationId);
        var receipt = JsonSerializer.Deserialize<PartnerReceipt>(one.Body, JsonSerializerOptions.Web)!;
        Assert.Equal((Id(single), ReceiptStatus.Accepted), (receipt.MessageId!.Value, receipt.Status));
        Assert.Equal(4, await CountAsync(c => c.PartnerPersonId!.StartsWith("globalise-000006")));
        await using (var admin = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync())
        await using (var adminChannel = await admin.CreateChannelAsync())
        {
            Assert.Equal(2u, await adminChannel.MessageCountAsync(PartnerTopology.IntakeErrorQueue)); // each rejected message's copy, as ever
        }

        // A resend is answered duplicate, in a batch as it asked, with the same candidate.
        await PublishAsync(valid[1], ReceiptForm.Batch);
        var resent = Assert.Single(BatchedReceipts(await ReceiptMessagesAsync(m => BatchedReceipts(m).Any(), "the resend's batched receipt")));
        Assert.Equal((Id(valid[1]), ReceiptStatus.Duplicate, batched[2].CandidateId), (resent.MessageId!.Value, resent.Status, resent.CandidateId));

        static Guid Id(JsonObject message) => Guid.Parse(message["messageId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_partner_cannot_pretend_to_be_another_or_touch_anything_but_its_own_exchange_and_receipts()
    {
        // The broker itself refuses a user_id that is not the connection's user.
        var spoofed = SampleCandidates.Upsert("nordic-interim", 20, DateTimeOffset.UtcNow);
        var properties = new BasicProperties { ContentType = "application/json", UserId = "nordic-interim", MessageId = Guid.NewGuid().ToString() };
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await _channel.BasicPublishAsync(PartnerTopology.IntakeExchange, "nordic-interim", mandatory: false, properties, Encoding.UTF8.GetBytes(spoofed.ToJsonString()));
            await Task.Delay(500);
            await _channel.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: true); // the channel is closed by now
        });

        await using var probe = await ConnectAsync(Globalise);
        var refusals = new[]
        {
            () => UseChannelAsync(probe, c => c.BasicGetAsync(PartnerTopology.ReceiptsQueue("nordic-interim"), autoAck: true)),
            () => UseChannelAsync(probe, c => c.BasicGetAsync(PartnerTopology.IntakeQueue, autoAck: true)),
            () => UseChannelAsync(probe, c => c.QueueDeclareAsync("globalise-own-queue", durable: true, exclusive: false, autoDelete: false)),
            () => UseChannelAsync(probe, async c =>
            {
                await c.BasicPublishAsync("InterimPlatform.Contracts.Candidates.V1:CandidateErased", "", mandatory: false, new BasicProperties(), "{}"u8.ToArray());
                await Task.Delay(300);
                return await c.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: false);
            }),
        };
        foreach (var refusal in refusals)
        {
            var error = await Assert.ThrowsAnyAsync<OperationInterruptedException>(refusal);
            Assert.Equal((ushort)403, error.ShutdownReason?.ReplyCode);
        }
    }

    [Fact]
    public async Task A_message_without_user_id_is_answered_on_the_senders_own_receipts_queue()
    {
        // What most AMQP clients send unless asked: no user_id. The routing key names the sender, and the broker
        // lets a partner publish only with its own id.
        var message = SampleCandidates.Upsert(Globalise, 50, DateTimeOffset.UtcNow);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, MessageId = message["messageId"]!.GetValue<string>() };
        await _channel.BasicPublishAsync(PartnerTopology.IntakeExchange, Globalise, mandatory: false, properties, Encoding.UTF8.GetBytes(message.ToJsonString()));

        var receipt = Assert.Single(await ReceiptsAsync(1));

        Assert.Equal(ReceiptStatus.Rejected, receipt.Status);
        Assert.Equal(Guid.Parse(message["messageId"]!.GetValue<string>()), receipt.MessageId);
        Assert.Equal(["The AMQP user_id property is required: set it to your RabbitMQ user name ('globalise')."], receipt.Reasons);
        Assert.Equal(0, await CountAsync(c => c.PartnerPersonId == "globalise-0000050"));
    }

    [Fact]
    public async Task A_partner_may_not_publish_under_another_partners_routing_key()
    {
        // Else a message without user_id could have its receipt sent to another partner's queue.
        await using var probe = await ConnectAsync(Globalise);
        var error = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => UseChannelAsync(probe, async c =>
        {
            await c.BasicPublishAsync(PartnerTopology.IntakeExchange, "nordic-interim", mandatory: false, new BasicProperties(), "{}"u8.ToArray());
            await Task.Delay(300);
            return await c.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: false);
        }));

        Assert.Equal((ushort)403, error.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task Every_type_error_in_a_message_is_a_reason_naming_its_field_in_the_receipt()
    {
        var message = SampleCandidates.Upsert(Globalise, 51, DateTimeOffset.UtcNow);
        message["candidate"]!["skills"] = "erp migration";
        message["candidate"]!["languages"] = 3;

        await PublishAsync(message);
        var receipt = Assert.Single(await ReceiptsAsync(1));

        Assert.Equal(ReceiptStatus.Rejected, receipt.Status);
        Assert.Contains("candidate.skills: Must be a list of text.", receipt.Reasons);
        Assert.Contains(receipt.Reasons, r => r.StartsWith("candidate.languages: Must be a list", StringComparison.Ordinal));
        Assert.DoesNotContain(receipt.Reasons, r => r.Contains("System.", StringComparison.Ordinal) || r.Contains("`1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_documented_example_with_a_local_time_offset_is_accepted()
    {
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(Checkout.Root(), "docs", "partners", "examples", "upsert.json")))!.AsObject();
        example["messageId"] = Guid.NewGuid().ToString();
        example["candidate"]!["partnerPersonId"] = "G-" + Guid.NewGuid().ToString("N")[..8];
        example["candidate"]!["email"] = $"{Guid.NewGuid():N}@example.no";

        await PublishAsync(example);
        var receipt = Assert.Single(await ReceiptsAsync(1));

        Assert.Equal(ReceiptStatus.Accepted, receipt.Status);
        Assert.Equal("Ingrid Solberg", (await GetAsync(receipt.CandidateId!.Value)).FullName);
    }

    [Fact]
    public async Task A_withdrawal_overtaking_an_older_update_keeps_the_person_out()
    {
        var now = DateTimeOffset.UtcNow;

        await PublishAsync(SampleCandidates.Withdraw(Globalise, 40, now.AddMinutes(1)));
        await PublishAsync(SampleCandidates.Upsert(Globalise, 40, now)); // sent earlier, arrives later
        var receipts = await ReceiptsAsync(2);

        Assert.Equal([ReceiptStatus.Accepted, ReceiptStatus.Stale], receipts.Select(r => r.Status));
        Assert.Equal(0, await CountAsync(c => c.PartnerPersonId == "globalise-0000040"));
    }

    [Fact]
    public async Task Batches_of_two_replicas_applied_side_by_side_never_leave_a_withdrawn_person_in_the_pool()
    {
        // One replica's batch registers people while another's withdraws them (sent a minute later): whichever commits
        // first, the second must see it, so nobody is left in the pool.
        var now = DateTimeOffset.UtcNow;
        var people = Enumerable.Range(600, 200).ToList();
        ReadMessage Read(JsonObject message) => PartnerMessageReader.Read(Encoding.UTF8.GetBytes(message.ToJsonString()), Globalise);
        async Task ApplyAsync(IEnumerable<JsonObject> messages)
        {
            var batch = messages.Select(Read).ToList();
            for (var attempt = 1; ; attempt++)
            {
                await using var scope = _service.Services.CreateAsyncScope();
                var processor = new PartnerIntakeProcessor(scope.ServiceProvider.GetRequiredService<CandidatesDbContext>(), TimeProvider.System, PartnerIntakeTallies.NewWriter());
                try
                {
                    await processor.ApplyAsync(batch, [], CancellationToken.None);
                    return;
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.SerializationFailure && attempt < 5)
                {
                    // The service's outbox dispatcher marked the registrations' events sent meanwhile: the worker retries
                    // such a batch, and so does this test.
                }
            }
        }

        await Task.WhenAll(
            ApplyAsync(people.Select(i => SampleCandidates.Upsert(Globalise, i, now))),
            ApplyAsync(people.Select(i => SampleCandidates.Withdraw(Globalise, i, now.AddMinutes(1)))));

        var ids = people.Select(i => $"globalise-{i:0000000}").ToList();
        Assert.Equal(0, await CountAsync(c => ids.Contains(c.PartnerPersonId!)));
    }

    [Fact]
    public async Task A_withdrawn_person_is_erased()
    {
        var now = DateTimeOffset.UtcNow;
        await PublishAsync(SampleCandidates.Upsert(Globalise, 30, now));
        await PublishAsync(SampleCandidates.Withdraw(Globalise, 30, now.AddMinutes(1)));
        var receipts = await ReceiptsAsync(2);

        Assert.All(receipts, r => Assert.Equal(ReceiptStatus.Accepted, r.Status));
        Assert.Equal(0, await CountAsync(c => c.PartnerPersonId == "globalise-0000030"));
        await using var scope = _service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
        Assert.Equal("partner-withdrawal", (await db.Erasures.SingleAsync(e => e.CandidateId == receipts[0].CandidateId)).Ground);
    }

    private async Task<IConnection> ConnectAsync(string partner) =>
        await new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = servers.RabbitMQ.AmqpPort,
            UserName = partner,
            Password = servers.PartnerPasswords[partner],
        }.CreateConnectionAsync();

    private static async Task UseChannelAsync<T>(IConnection connection, Func<IChannel, Task<T>> action)
    {
        await using var channel = await connection.CreateChannelAsync();
        await action(channel);
    }

    private Task PublishAsync(JsonObject message, string? receiptForm = null) =>
        PublishRawAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), message["messageId"]?.GetValue<string>(), receiptForm);

    private async Task PublishRawAsync(byte[] body, string? messageId = null, string? receiptForm = null)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, UserId = Globalise, MessageId = messageId ?? Guid.NewGuid().ToString() };
        if (receiptForm is not null)
        {
            properties.Headers = new Dictionary<string, object?> { [ReceiptForm.Header] = receiptForm };
        }

        await _channel.BasicPublishAsync(PartnerTopology.IntakeExchange, Globalise, mandatory: false, properties, body);
    }

    private async Task<List<PartnerReceipt>> ReceiptsAsync(int count) =>
        [.. (await ReceiptMessagesAsync(m => m.Count >= count, $"{count} receipts")).Select(m => JsonSerializer.Deserialize<PartnerReceipt>(m.Body, JsonSerializerOptions.Web)!)];

    /// <summary>A message off the partner's receipts queue: its AMQP type says whether it holds one receipt or a batch.</summary>
    private sealed record Received(string? Type, string? CorrelationId, byte[] Body);

    /// <summary>The messages on the partner's receipts queue, as a client reading both forms sees them, until there are enough.</summary>
    private async Task<List<Received>> ReceiptMessagesAsync(Func<List<Received>, bool> enough, string what)
    {
        var messages = new List<Received>();
        await Eventually.GetAsync(
            async () =>
            {
                while (await _channel.BasicGetAsync(PartnerTopology.ReceiptsQueue(Globalise), autoAck: true) is { } delivery)
                {
                    messages.Add(new Received(delivery.BasicProperties.Type, delivery.BasicProperties.CorrelationId, delivery.Body.ToArray()));
                }

                return enough(messages) ? messages : null;
            },
            TimeSpan.FromSeconds(30),
            what);
        return messages;
    }

    private static IEnumerable<PartnerReceipt> BatchedReceipts(IEnumerable<Received> messages) =>
        messages.Where(m => m.Type == ReceiptForm.BatchType).SelectMany(m => JsonSerializer.Deserialize<PartnerReceiptBatch>(m.Body, JsonSerializerOptions.Web)!.Receipts);

    private async Task<CandidateView> GetAsync(Guid id) => (await _service.CreateClient().GetFromJsonAsync<CandidateView>($"/api/candidates/{id}"))!;

    private async Task<int> CountAsync(System.Linq.Expressions.Expression<Func<Candidates.Profiles.Candidate, bool>> predicate)
    {
        await using var scope = _service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CandidatesDbContext>().Candidates.CountAsync(predicate);
    }

    public async Task DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _partner.DisposeAsync();
        await _service.DisposeAsync();
    }
}
