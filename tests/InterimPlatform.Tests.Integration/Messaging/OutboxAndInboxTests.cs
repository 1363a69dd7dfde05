using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using InterimPlatform.Messaging.Inbox;
using InterimPlatform.Messaging.Operations;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Tests.Integration.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace InterimPlatform.Tests.Integration.Messaging;

/// <summary>The messaging building block against real PostgreSQL and RabbitMQ: nothing lost, nothing applied twice.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class OutboxAndInboxTests(PlatformServers servers)
{
    private const string NoteWrittenExchange = "InterimPlatform.Tests.Integration.Messaging:NoteWritten";
    private readonly string _service = "notes" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConsumerFaults _faults = new();

    [Fact]
    public async Task A_state_change_and_its_event_are_committed_together_or_not_at_all()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        var now = DateTimeOffset.UtcNow;
        await using (var db = NotesService.OpenDatabase(database))
        {
            db.Write(new Note { Id = Guid.NewGuid(), Text = "taken" }, 1, now);
            await db.SaveChangesAsync();
        }

        // The state write fails (unique text): its event must not be written either.
        await using (var db = NotesService.OpenDatabase(database))
        {
            db.Write(new Note { Id = Guid.NewGuid(), Text = "taken" }, 2, now);
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        // A failure after both were written, before the commit: neither survives.
        await using (var db = NotesService.OpenDatabase(database))
        {
            // A transaction of its own runs under the execution strategy, as the services' do.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                db.Write(new Note { Id = Guid.NewGuid(), Text = "rolled back" }, 3, now);
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            });
        }

        await using var check = NotesService.OpenDatabase(database);
        Assert.Equal(["taken"], await check.Notes.Select(n => n.Text).ToListAsync());
        Assert.Equal(1, await check.Set<OutboxMessage>().CountAsync());
    }

    [Fact]
    public async Task An_event_written_while_the_broker_is_down_is_delivered_once_it_is_back()
    {
        // A broker of its own: stopping the shared one would disturb the other tests.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var broker = await OwnRabbitMQ.LaunchAsync(timeout.Token);
        {
            var database = await NotesService.CreateDatabaseAsync(servers);
            using var host = NotesService.Build(_service, database, broker.Node.AmqpUri.ToString(), _faults);
            await StartAsync(host);

            await broker.StopAsync(timeout.Token);
            var note = new Note { Id = Guid.NewGuid(), Text = "written during the outage" };
            await using (var db = NotesService.OpenDatabase(database))
            {
                db.Write(note, 1, DateTimeOffset.UtcNow);
                await db.SaveChangesAsync(); // the request succeeds although the broker is down
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            await using (var db = NotesService.OpenDatabase(database))
            {
                Assert.Null((await db.Set<OutboxMessage>().SingleAsync()).SentAt);
            }

            await broker.StartAsync(timeout.Token);

            var copy = await NotesService.WaitForCopyAsync(database, note.Id, TimeSpan.FromSeconds(90));
            Assert.Equal(1, copy.Applied);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_row_left_unsent_by_a_process_killed_after_commit_is_delivered_by_the_next_start()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        using (var earlier = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults))
        {
            await StartAsync(earlier); // the service ran before: its queue exists and is bound
            await earlier.StopAsync();
        }

        var note = new Note { Id = Guid.NewGuid(), Text = "committed, never published" };
        // What a process killed between commit and publish leaves behind: a committed, unsent row.
        await using (var db = NotesService.OpenDatabase(database))
        {
            db.Write(note, 1, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults);
        await StartAsync(host);

        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, note.Id)).Applied);
        await using var check = NotesService.OpenDatabase(database);
        Assert.NotNull((await check.Set<OutboxMessage>().SingleAsync()).SentAt);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_consumer_joins_the_trace_of_the_request_that_wrote_the_event()
    {
        var consumed = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = consumed.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var database = await NotesService.CreateDatabaseAsync(servers);
        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults);
        await StartAsync(host);
        var note = new Note { Id = Guid.NewGuid(), Text = "traced" };

        ActivityTraceId requestTrace;
        using (var request = new Activity("POST /api/notes").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            requestTrace = request.TraceId;
            await using var db = NotesService.OpenDatabase(database);
            db.Write(note, 1, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        await NotesService.WaitForCopyAsync(database, note.Id);
        var consume = await Eventually.GetAsync(
            () => Task.FromResult(consumed.FirstOrDefault(a => a.Kind == ActivityKind.Consumer && a.TraceId == requestTrace)),
            TimeSpan.FromSeconds(10),
            "a consumer span in the request's trace");
        Assert.Contains("note-written", consume.OperationName, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_message_delivered_twice_changes_state_once()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults, dispatch: false);
        await StartAsync(host);
        var bus = host.Services.GetRequiredService<IBus>();
        var consumed = new ConsumedMessages();
        using var observer = bus.ConnectConsumeObserver(consumed);
        var message = new NoteWritten(Guid.NewGuid(), "twice", 1);
        var messageId = NewId.NextGuid();

        await bus.Publish(message, context => context.MessageId = messageId);
        await bus.Publish(message, context => context.MessageId = messageId);
        await consumed.WaitForAsync(messageId, times: 2, TimeSpan.FromSeconds(30));

        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, message.NoteId)).Applied);
        await using var db = NotesService.OpenDatabase(database);
        Assert.Equal(1, await db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_transient_fault_is_retried_and_the_message_applied_once()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        _faults.TransientFailuresLeft = 2;
        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults, dispatch: false);
        await StartAsync(host);
        var message = new NoteWritten(Guid.NewGuid(), "flaky", 1);

        await host.Services.GetRequiredService<IBus>().Publish(message);

        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, message.NoteId)).Applied);
        Assert.Equal(3, _faults.Attempts["flaky"]);
        var errors = await host.Services.GetRequiredService<ErrorQueues>().ListAsync(CancellationToken.None);
        Assert.All(errors, e => Assert.Equal(0u, e.Messages));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_transient_fault_that_outlasts_the_ordinary_retries_keeps_the_message_out_of_the_error_queue()
    {
        // 15 failures in a row, as while PostgreSQL restarts: more than the immediate retries and the delayed
        // retries an ordinary fault gets (3 + 2 here).
        var database = await NotesService.CreateDatabaseAsync(servers);
        _faults.TransientFailuresLeft = 15;
        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults, dispatch: false);
        await StartAsync(host);
        var message = new NoteWritten(Guid.NewGuid(), "outage", 1);

        await host.Services.GetRequiredService<IBus>().Publish(message);

        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, message.NoteId)).Applied);
        Assert.Equal(16, _faults.Attempts["outage"]);
        var errors = await host.Services.GetRequiredService<ErrorQueues>().ListAsync(CancellationToken.None);
        Assert.All(errors, e => Assert.Equal(0u, e.Messages));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_error_queue_with_its_reason_without_stopping_the_consumer_and_is_replayed_after_the_fix()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        _faults.Poison["poison"] = true;
        _faults.Invalid["invalid"] = true;
        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults, dispatch: false);
        await StartAsync(host);
        var bus = host.Services.GetRequiredService<IBus>();
        var errors = host.Services.GetRequiredService<ErrorQueues>();
        var queue = $"{_service}-note-written";
        var poison = new NoteWritten(Guid.NewGuid(), "poison", 1);
        var invalid = new NoteWritten(Guid.NewGuid(), "invalid", 2);
        var healthy = new NoteWritten(Guid.NewGuid(), "healthy", 3);

        await bus.Publish(poison);
        await bus.Publish(invalid);
        await bus.Publish(healthy);

        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, healthy.NoteId)).Applied); // the consumer kept going
        var failed = await Eventually.GetAsync(
            async () => await errors.PeekAsync(queue, 10, CancellationToken.None) is { Count: 2 } messages ? messages : null,
            TimeSpan.FromSeconds(30),
            "both bad messages in the error queue");
        var poisoned = Assert.Single(failed, m => m.Body.Contains("\"poison\"", StringComparison.Ordinal));
        Assert.Contains("the consumer has a bug", poisoned.FaultMessage, StringComparison.Ordinal);
        Assert.Equal(typeof(InvalidOperationException).FullName, poisoned.FaultExceptionType);
        Assert.Equal(poisoned.FaultMessage, poisoned.Reason);
        Assert.NotNull(poisoned.FailedAt); // MassTransit's MT-Fault-Timestamp, read as a time
        Assert.InRange(poisoned.FailedAt.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Null(poisoned.Partner);
        Assert.Equal(3, _faults.Attempts["poison"]); // the first attempt and two delayed retries
        var rejected = Assert.Single(failed, m => m.Body.Contains("\"invalid\"", StringComparison.Ordinal));
        Assert.Contains("is not allowed", rejected.FaultMessage, StringComparison.Ordinal);
        Assert.Equal(1, _faults.Attempts["invalid"]); // a validation failure is not retried
        Assert.Equal(2u, (await errors.ListAsync(CancellationToken.None)).Single(e => e.Queue == queue).Messages); // peeking left them there

        _faults.Poison.Clear(); // the fix is deployed
        Assert.Equal(1, await errors.ReplayAsync(queue, poisoned.MessageId, CancellationToken.None));
        Assert.Equal(1, (await NotesService.WaitForCopyAsync(database, poison.NoteId)).Applied);

        Assert.Equal(1, await errors.DiscardAsync(queue, rejected.MessageId, CancellationToken.None));
        Assert.Equal(0u, (await errors.ListAsync(CancellationToken.None)).Single(e => e.Queue == queue).Messages);
        await host.StopAsync();
    }

    [Fact]
    public async Task Two_instances_dispatching_one_outbox_never_send_a_row_twice_and_keep_each_aggregates_order()
    {
        const int aggregates = 1000; // more heads than one batch holds, so both instances get rows at once
        const int eventsEach = 3;
        var database = await NotesService.CreateDatabaseAsync(servers);
        await using (var db = NotesService.OpenDatabase(database))
        {
            var now = DateTimeOffset.UtcNow;
            for (var sequence = 1; sequence <= eventsEach; sequence++)
            {
                for (var aggregate = 0; aggregate < aggregates; aggregate++)
                {
                    var id = new Guid(aggregate + 1, 0, 0, new byte[8]);
                    db.Set<OutboxMessage>().Add(OutboxMessage.Create(new NoteWritten(id, $"note {aggregate}", sequence), id.ToString(), now.AddTicks(sequence)));
                }
            }

            await db.SaveChangesAsync();
        }

        var factory = new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(NoteWrittenExchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, NoteWrittenExchange, routingKey: "");

        using var first = NotesService.Build(_service + "a", database, servers.MessagingConnectionString, _faults, dispatch: false, consume: false);
        using var second = NotesService.Build(_service + "b", database, servers.MessagingConnectionString, _faults, dispatch: false, consume: false);
        await StartAsync(first);
        await StartAsync(second);
        var dispatchers = new[] { first, second }.Select(h => ActivatorUtilities.CreateInstance<OutboxDispatcher<NotesDbContext>>(h.Services)).ToList();

        var sentBy = await Task.WhenAll(dispatchers.Select(d => DispatchUntilEmptyAsync(d, database)));

        var received = new List<(Guid MessageId, Guid NoteId, int Sequence)>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } delivery)
        {
            using var envelope = JsonDocument.Parse(delivery.Body);
            var message = envelope.RootElement.GetProperty("message");
            received.Add((envelope.RootElement.GetProperty("messageId").GetGuid(), message.GetProperty("noteId").GetGuid(), message.GetProperty("sequence").GetInt32()));
        }

        Assert.Equal(aggregates * eventsEach, sentBy.Sum());
        Assert.All(sentBy, count => Assert.True(count > 0, "both instances dispatched"));
        Assert.Equal(aggregates * eventsEach, received.Count);
        Assert.Equal(received.Count, received.Select(r => r.MessageId).Distinct().Count());
        foreach (var aggregate in received.GroupBy(r => r.NoteId))
        {
            Assert.Equal(Enumerable.Range(1, eventsEach), aggregate.Select(r => r.Sequence));
        }

        await first.StopAsync();
        await second.StopAsync();
    }

    [Fact]
    public async Task Events_of_the_types_a_service_batches_travel_together_each_under_its_own_message_id()
    {
        var database = await NotesService.CreateDatabaseAsync(servers);
        var notes = Enumerable.Range(1, 4).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        var archived = Guid.NewGuid();
        var rows = new List<OutboxMessage>();
        await using (var db = NotesService.OpenDatabase(database))
        {
            var now = DateTimeOffset.UtcNow;
            OutboxMessage Add<T>(T @event, Guid aggregate) where T : class
            {
                var row = OutboxMessage.Create(@event, aggregate.ToString(), now);
                db.Set<OutboxMessage>().Add(row);
                return row;
            }

            rows.AddRange(notes.Select(id => Add(new NoteWritten(id, "first", 1), id)));
            var archivedRow = Add(new NoteArchived(archived), archived);
            rows.AddRange(notes.Select(id => Add(new NoteWritten(id, "second", 2), id)));
            rows.Add(Add(new NoteWritten(notes[0], "third", 3), notes[0]));
            await db.SaveChangesAsync();
            rows.Add(archivedRow);
        }

        var factory = new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        async Task<string> ListenAsync(string exchange)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(queue, exchange, routingKey: "");
            return queue;
        }

        var batches = await ListenAsync("InterimPlatform.Tests.Integration.Messaging:NotesWritten");
        var singles = await ListenAsync(NoteWrittenExchange);
        var others = await ListenAsync("InterimPlatform.Tests.Integration.Messaging:NoteArchived");

        using var host = NotesService.Build(_service, database, servers.MessagingConnectionString, _faults, dispatch: false, consume: false);
        await StartAsync(host);
        var services = host.Services;
        var dispatcher = new OutboxDispatcher<NotesDbContext>(
            services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<IBus>(), services.GetRequiredService<OutboxSignal>(),
            services.GetRequiredService<OutboxMonitor>(), [new NotesWrittenTogether()], TimeProvider.System,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OutboxDispatcher<NotesDbContext>>>());
        Assert.Equal(rows.Count, await DispatchUntilEmptyAsync(dispatcher, database));

        async Task<List<JsonElement>> ReceivedAsync(string queue)
        {
            var messages = new List<JsonElement>();
            while (await channel.BasicGetAsync(queue, autoAck: true) is { } delivery)
            {
                messages.Add(JsonDocument.Parse(delivery.Body).RootElement.Clone());
            }

            return messages;
        }

        // Each claim holds one event per note: the first two claims' notes travel as one message each, the third
        // claim's single note alone, and the type the form does not carry alone.
        var together = await ReceivedAsync(batches);
        Assert.Equal(2, together.Count);
        var entries = together.Select(m => m.GetProperty("message").GetProperty("notes").EnumerateArray()
            .Select(e => (MessageId: e.GetProperty("messageId").GetGuid(), Sequence: e.GetProperty("note").GetProperty("sequence").GetInt32())).ToList()).ToList();
        Assert.Equal([.. rows.Take(4).Select(r => r.Id)], entries[0].Select(e => e.MessageId));
        Assert.Equal([.. rows.Skip(4).Take(4).Select(r => r.Id)], entries[1].Select(e => e.MessageId));
        Assert.All(entries[0], e => Assert.Equal(1, e.Sequence));
        Assert.All(entries[1], e => Assert.Equal(2, e.Sequence));
        var alone = Assert.Single(await ReceivedAsync(singles));
        Assert.Equal(rows[8].Id, alone.GetProperty("messageId").GetGuid());
        Assert.Equal(rows[9].Id, Assert.Single(await ReceivedAsync(others)).GetProperty("messageId").GetGuid());
        await using (var db = NotesService.OpenDatabase(database))
        {
            Assert.All(await db.Set<OutboxMessage>().ToListAsync(), r => Assert.True(r.SentAt is not null && r.Attempts == 1, $"{r.Id} marked sent once"));
        }

        await host.StopAsync();
    }

    private static async Task<int> DispatchUntilEmptyAsync(OutboxDispatcher<NotesDbContext> dispatcher, string database)
    {
        var total = 0;
        while (true)
        {
            var sent = await dispatcher.DispatchBatchAsync(CancellationToken.None);
            total += sent;
            if (sent == 0)
            {
                await using var db = NotesService.OpenDatabase(database);
                if (!await db.Set<OutboxMessage>().AnyAsync(m => m.SentAt == null))
                {
                    return total;
                }

                await Task.Delay(5); // the other instance holds the rows that are left
            }
        }
    }

    private static async Task StartAsync(IHost host)
    {
        await host.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var health = await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, timeout.Token);
        Assert.Equal(BusHealthStatus.Healthy, health);
    }
}

public sealed record NoteArchived(Guid NoteId);

public sealed record NotesWritten(IReadOnlyList<NoteWrittenEntry> Notes);

public sealed record NoteWrittenEntry(Guid MessageId, NoteWritten Note);

/// <summary>A batch form as a service registers one: notes written travel together.</summary>
file sealed class NotesWrittenTogether : IOutboxBatchForm
{
    public bool Carries(Type eventType) => eventType == typeof(NoteWritten);

    public object Pack(IReadOnlyList<(Guid MessageId, object Event)> events) =>
        new NotesWritten([.. events.Select(e => new NoteWrittenEntry(e.MessageId, (NoteWritten)e.Event))]);
}
