using InterimPlatform.AppHost;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Tests.Integration.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>
/// Each service's broker user, as the AppHost provisions it, on a real node: the broker itself refuses (403
/// ACCESS_REFUSED) reading another service's queues and publishing another service's events, while the service's
/// own publishing and consuming work.
/// </summary>
[Collection(PlatformServersCollection.Name)]
public sealed class ServiceBrokerPermissionTests(PlatformServers servers) : IAsyncLifetime
{
    private const ushort AccessRefused = 403;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private IConnection _administrator = null!;
    private IConnection _matching = null!;

    // Candidates' queue and the exchange of its name, as MassTransit declares them for a consumer.
    private string CandidatesQueue => $"candidates-permission-test-{_suffix}";

    private string MatchingQueue => $"matching-permission-test-{_suffix}";

    public async Task InitializeAsync()
    {
        _administrator = await new ConnectionFactory { Uri = servers.RabbitMQ.AmqpUri }.CreateConnectionAsync();
        await using (var channel = await _administrator.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(CandidatesQueue, durable: false, exclusive: false, autoDelete: false);
            await channel.ExchangeDeclareAsync(CandidatesQueue, ExchangeType.Fanout, durable: false);
            await channel.QueueBindAsync(CandidatesQueue, CandidatesQueue, "");
            await channel.BasicPublishAsync(CandidatesQueue, "", body: "a message for candidates"u8.ToArray());
            // The events exist (as once their publisher ran): only the permission can refuse what follows.
            await channel.ExchangeDeclareAsync(ServiceBrokerUser.ExchangeOf(typeof(CandidateRegistered)), ExchangeType.Fanout, durable: true);
            await channel.ExchangeDeclareAsync(ServiceBrokerUser.ExchangeOf(typeof(ShortlistProduced)), ExchangeType.Fanout, durable: true);
        }

        _matching = await new ConnectionFactory { Uri = new Uri(servers.ServiceMessagingConnectionString("matching")) }.CreateConnectionAsync();
    }

    [Fact]
    public async Task A_service_cannot_read_another_services_queue()
    {
        await AssertRefusedAsync(_matching, channel => channel.BasicGetAsync(CandidatesQueue, autoAck: true));
        await AssertRefusedAsync(_matching, channel => channel.BasicConsumeAsync(CandidatesQueue, autoAck: true, new AsyncEventingBasicConsumer(channel)));
        await AssertRefusedAsync(_matching, channel => channel.BasicGetAsync(CandidatesQueue + "_error", autoAck: true));
        await AssertRefusedAsync(_matching, channel => channel.BasicGetAsync(PartnerTopology.IntakeQueue, autoAck: true));
        // Nor declare, delete or purge it, or bind it to an exchange it reads.
        await AssertRefusedAsync(_matching, channel => channel.QueueDeclareAsync(CandidatesQueue, durable: false, exclusive: false, autoDelete: false));
        await AssertRefusedAsync(_matching, channel => channel.QueuePurgeAsync(CandidatesQueue));
        await AssertRefusedAsync(_matching, channel => channel.QueueBindAsync(CandidatesQueue, ServiceBrokerUser.ExchangeOf(typeof(CandidateRegistered)), ""));

        await using var administrator = await _administrator.CreateChannelAsync();
        Assert.Equal(1u, await administrator.MessageCountAsync(CandidatesQueue)); // the message is still there
    }

    [Fact]
    public async Task A_service_cannot_publish_another_services_events_nor_send_straight_to_a_queue()
    {
        await AssertRefusedAsync(_matching, channel => PublishConfirmedAsync(channel, ServiceBrokerUser.ExchangeOf(typeof(CandidateRegistered))));
        // Nor into another service's queue through the exchange of its name, or through the default exchange.
        await AssertRefusedAsync(_matching, channel => PublishConfirmedAsync(channel, CandidatesQueue));
        await AssertRefusedAsync(_matching, channel => PublishConfirmedAsync(channel, "", routingKey: CandidatesQueue));
        await AssertRefusedAsync(_matching, channel => PublishConfirmedAsync(channel, PartnerTopology.IntakeExchange));

        await using var administrator = await _administrator.CreateChannelAsync();
        Assert.Equal(1u, await administrator.MessageCountAsync(CandidatesQueue));
    }

    [Fact]
    public async Task A_service_publishes_its_own_events_and_uses_its_own_queues()
    {
        await using var channel = await _matching.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        // Declared and bound as MassTransit does for a consumer of ShortlistProduced (here Matching's own event).
        await channel.QueueDeclareAsync(MatchingQueue, durable: false, exclusive: false, autoDelete: true);
        await channel.ExchangeDeclareAsync(MatchingQueue, ExchangeType.Fanout, durable: false, autoDelete: true);
        await channel.QueueBindAsync(MatchingQueue, MatchingQueue, "");
        await channel.ExchangeDeclareAsync(ServiceBrokerUser.ExchangeOf(typeof(ShortlistProduced)), ExchangeType.Fanout, durable: true);

        await channel.BasicPublishAsync(ServiceBrokerUser.ExchangeOf(typeof(ShortlistProduced)), "", mandatory: false, new BasicProperties(), "a shortlist"u8.ToArray());
        await channel.BasicPublishAsync(MatchingQueue, "", mandatory: true, new BasicProperties(), "for matching"u8.ToArray());

        var delivery = await Eventually.GetAsync(() => channel.BasicGetAsync(MatchingQueue, autoAck: true), TimeSpan.FromSeconds(5), "the message in matching's own queue");
        Assert.Equal("for matching"u8.ToArray(), delivery.Body.ToArray());
        // And it binds its queue's exchange to an event it consumes (read on the source, write on its own exchange).
        await channel.ExchangeBindAsync(MatchingQueue, ServiceBrokerUser.ExchangeOf(typeof(CandidateRegistered)), "");
    }

    [Fact]
    public async Task Candidates_runs_the_partner_intake_but_cannot_publish_as_a_partner()
    {
        await using var candidates = await new ConnectionFactory { Uri = new Uri(servers.ServiceMessagingConnectionString("candidates")) }.CreateConnectionAsync();
        await using (var channel = await candidates.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            Assert.NotNull(await channel.QueueDeclarePassiveAsync(PartnerTopology.IntakeQueue));
            await channel.BasicPublishAsync(PartnerTopology.ReceiptsExchange, "nobody", mandatory: false, new BasicProperties(), "a receipt"u8.ToArray());
        }

        await AssertRefusedAsync(candidates, channel => PublishConfirmedAsync(channel, PartnerTopology.IntakeExchange));
        await AssertRefusedAsync(candidates, channel => channel.BasicGetAsync(PartnerTopology.ReceiptsQueue(PlatformServers.Partners[0]), autoAck: true));
        await AssertRefusedAsync(candidates, channel => PublishConfirmedAsync(channel, ServiceBrokerUser.ExchangeOf(typeof(ShortlistProduced))));
    }

    public async Task DisposeAsync()
    {
        await using (var channel = await _administrator.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(CandidatesQueue);
            await channel.ExchangeDeleteAsync(CandidatesQueue);
        }

        await _matching.DisposeAsync();
        await _administrator.DisposeAsync();
    }

    private static async Task PublishConfirmedAsync(IChannel channel, string exchange, string routingKey = "") =>
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, new BasicProperties(), "not yours"u8.ToArray());

    /// <summary>
    /// The broker closes the channel with 403 ACCESS_REFUSED (the connection, as the service's own, stays usable). A
    /// channel of its own with confirms, so a refused publish is known here rather than silently dropped.
    /// </summary>
    private static async Task AssertRefusedAsync(IConnection connection, Func<IChannel, Task> operation)
    {
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => operation(channel));
            var closed = await Eventually.GetAsync(() => Task.FromResult(channel.CloseReason), TimeSpan.FromSeconds(5), "the channel to be closed");
            Assert.True(closed.ReplyCode == AccessRefused, $"Expected 403 ACCESS_REFUSED, got {closed.ReplyCode} {closed.ReplyText}");
            Assert.StartsWith("ACCESS_REFUSED", closed.ReplyText, StringComparison.Ordinal);
        }
        finally
        {
            await channel.DisposeAsync();
        }

        Assert.True(connection.IsOpen);
    }
}
