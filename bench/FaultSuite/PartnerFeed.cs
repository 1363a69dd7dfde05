using System.Text;
using System.Text.Json.Nodes;
using PartnerPush;
using RabbitMQ.Client;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>What a partner network sent: each valid person once (resent as often as the broker made it), the malformed ones, the deliberate duplicates.</summary>
internal sealed class PartnerFeedResult
{
    /// <summary>The partner's ids of the people in the valid messages: each must become exactly one candidate.</summary>
    public List<string> PersonIds { get; } = [];

    public int Valid => PersonIds.Count;

    /// <summary>The people the malformed messages describe: none of them may become a candidate.</summary>
    public List<string> MalformedPersonIds { get; } = [];

    public int Malformed => MalformedIds.Count;

    /// <summary>The AMQP message ids of the malformed messages: exactly these belong in the error queue.</summary>
    public List<string> MalformedIds { get; } = [];

    public int DeliberateDuplicates { get; set; }

    public int Resent { get; set; }

    public int Reconnects { get; set; }
}

/// <summary>
/// Publishes partner messages as a partner's own system would (plain RabbitMQ.Client, publisher confirms):
/// a message is resent until the broker confirms it, through broker restarts and dropped connections.
/// Resending is safe: the platform applies each message id once.
/// </summary>
internal sealed class PartnerFeed(int amqpPort, IReadOnlyDictionary<string, string> partnerPasswords)
{
    private const int Batch = 50;

    /// <summary>Valid upserts per partner, numbered from <paramref name="firstIndex"/>; every 100th message is followed by a malformed one and every 50th is sent twice on purpose.</summary>
    public async Task<PartnerFeedResult> RunAsync(int validMessages, int firstIndex, TimeSpan spread, CancellationToken cancellationToken)
    {
        var result = new PartnerFeedResult();
        var partners = partnerPasswords.Keys.Order().ToList();
        var messages = new List<(string Partner, string Id, byte[] Body)>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < validMessages; i++)
        {
            var partner = partners[i % partners.Count];
            var message = SampleCandidates.Upsert(partner, firstIndex + i, now);
            var body = Encoding.UTF8.GetBytes(message.ToJsonString());
            var id = message["messageId"]!.GetValue<string>();
            messages.Add((partner, id, body));
            result.PersonIds.Add(PersonOf(message));
            if (i % 50 == 25)
            {
                messages.Add((partner, id, body));
                result.DeliberateDuplicates++;
            }

            if (i % 100 == 50)
            {
                var malformedId = Guid.NewGuid().ToString();
                var (malformed, person) = Malformed(partner, i, now);
                messages.Add((partner, malformedId, malformed));
                result.MalformedIds.Add(malformedId);
                result.MalformedPersonIds.Add(person);
            }
        }

        var perBatch = spread / Math.Max(1, messages.Count / Batch);
        var byPartner = new Dictionary<string, Publisher>();
        try
        {
            foreach (var partner in partners)
            {
                byPartner[partner] = new Publisher(amqpPort, partner, partnerPasswords[partner]);
            }

            for (var start = 0; start < messages.Count; start += Batch)
            {
                var next = Task.Delay(perBatch, cancellationToken);
                foreach (var group in messages.Skip(start).Take(Batch).GroupBy(m => m.Partner))
                {
                    await byPartner[group.Key].PublishConfirmedAsync([.. group.Select(m => (m.Id, m.Body))], result, cancellationToken);
                }

                await next;
            }
        }
        finally
        {
            foreach (var publisher in byPartner.Values)
            {
                await publisher.DisposeAsync();
            }
        }

        return result;
    }

    /// <summary>Reads every partner's receipts, as a partner's system does, until cancelled; returns how many.</summary>
    public async Task<int> DrainReceiptsAsync(CancellationToken cancellationToken)
    {
        var read = 0;
        var connections = new List<IConnection>();
        try
        {
            foreach (var (partner, password) in partnerPasswords)
            {
                var connection = await new ConnectionFactory { HostName = "127.0.0.1", Port = amqpPort, UserName = partner, Password = password, ClientProvidedName = $"fault-suite receipts ({partner})" }.CreateConnectionAsync(cancellationToken);
                connections.Add(connection);
                var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, _) =>
                {
                    Interlocked.Increment(ref read);
                    return Task.CompletedTask;
                };
                await channel.BasicConsumeAsync($"partner-receipts.{partner}", autoAck: true, consumer, cancellationToken);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        return read;
    }

    /// <summary>Malformed in turn: not JSON, a wrong schema version, a missing name, another partner's id.</summary>
    private static (byte[] Body, string Person) Malformed(string partner, int i, DateTimeOffset now)
    {
        var message = SampleCandidates.Upsert(partner, 9_000_000 + i, now);
        var person = PersonOf(message);
        switch (i / 100 % 4)
        {
            case 0:
                return (Encoding.UTF8.GetBytes("{ this is not json " + i), person);
            case 1:
                message["schemaVersion"] = "9.9";
                break;
            case 2:
                message["candidate"]!.AsObject().Remove("fullName");
                break;
            default:
                message["partnerId"] = partner == "globalise" ? "nordic-interim" : "globalise";
                break;
        }

        return (Encoding.UTF8.GetBytes(message.ToJsonString()), person);
    }

    private static string PersonOf(System.Text.Json.Nodes.JsonObject message) => message["candidate"]!["partnerPersonId"]!.GetValue<string>();

    private sealed class Publisher(int amqpPort, string partner, string password) : IAsyncDisposable
    {
        private IConnection? _connection;
        private IChannel? _channel;

        public async Task PublishConfirmedAsync(IReadOnlyList<(string Id, byte[] Body)> messages, PartnerFeedResult result, CancellationToken cancellationToken)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var channel = await ChannelAsync(cancellationToken);
                    await Task.WhenAll(messages.Select(m => channel.BasicPublishAsync(
                        "partner-intake", partner, mandatory: false,
                        new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, MessageId = m.Id, UserId = partner },
                        m.Body, cancellationToken).AsTask()));
                    return;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Not confirmed: the broker may or may not have them; resend the whole batch on a new connection.
                    result.Resent += messages.Count;
                    result.Reconnects++;
                    await DisposeAsync();
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 200 * (attempt + 1))), cancellationToken);
                }
            }
        }

        private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
        {
            if (_channel is { IsOpen: true })
            {
                return _channel;
            }

            await DisposeAsync();
            var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = amqpPort, UserName = partner, Password = password, ClientProvidedName = $"fault-suite ({partner})", AutomaticRecoveryEnabled = false };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            _channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            return _channel;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_channel is not null)
                {
                    await _channel.DisposeAsync();
                }

                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }
            }
            catch (Exception)
            {
                // already broken
            }

            _channel = null;
            _connection = null;
        }
    }
}
