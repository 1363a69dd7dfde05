using System.Reflection;
using System.Text.RegularExpressions;
using InterimPlatform.AppHost;
using InterimPlatform.Contracts.Partners;
using MassTransit;

namespace InterimPlatform.Tests.Unit.Operations;

/// <summary>
/// The services' broker permission patterns against the names MassTransit and the services really use: each
/// service may use its own queues and events and no other's (the broker itself is tested in ServiceBrokerPermissionTests).
/// </summary>
public sealed class ServiceBrokerUserTests
{
    private static readonly Dictionary<string, Assembly> s_assemblies = new()
    {
        ["candidates"] = typeof(InterimPlatform.Candidates.Data.CandidatesDbContext).Assembly,
        ["engagements"] = typeof(InterimPlatform.Engagements.Data.EngagementsDbContext).Assembly,
        ["matching"] = typeof(InterimPlatform.Matching.Data.MatchingDbContext).Assembly,
    };

    public static TheoryData<string> Services => [.. ServiceBrokerUsers.All.Select(s => s.Service)];

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_queue_a_service_declares_is_its_own_and_no_other_services(string service)
    {
        var queues = ConsumerQueues(service).SelectMany(q => new[] { q, q + "_error", q + "_skipped" })
            .Append($"{service}-bus-{Guid.NewGuid():N}")
            .ToList();
        Assert.NotEmpty(queues);

        foreach (var queue in queues)
        {
            // A queue and the exchange of its name: declared, bound (write on the queue, read on its exchange), consumed.
            Assert.True(Allows(service, queue) is (true, true, true), $"{service} may not use its own {queue}");
            foreach (var other in Others(service))
            {
                Assert.True(Allows(other, queue) is (false, false, false), $"{other} may use {service}'s {queue}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_binds_from_the_events_it_consumes_without_being_able_to_publish_them(string service)
    {
        var user = ServiceBrokerUsers.For(service);
        var consumed = ConsumedMessages(service).ToList();
        Assert.NotEmpty(consumed);
        Assert.Equal(consumed.Select(ServiceBrokerUser.ExchangeOf).Order(), user.Consumes.Select(ServiceBrokerUser.ExchangeOf).Order());

        foreach (var message in consumed.Where(m => !user.Publishes.Contains(m)))
        {
            var exchange = ServiceBrokerUser.ExchangeOf(message);
            var (configure, write, read) = Allows(service, exchange);
            Assert.True(configure && read, $"{service} cannot bind from {exchange}");
            Assert.False(write, $"{service} may publish {exchange}, which it does not own");
        }
    }

    [Fact]
    public void Each_event_is_published_by_exactly_one_service()
    {
        var events = ServiceBrokerUsers.All.SelectMany(s => s.Publishes.Concat(s.Consumes)).Distinct().ToList();
        foreach (var message in events)
        {
            var exchange = ServiceBrokerUser.ExchangeOf(message);
            var writers = ServiceBrokerUsers.All.Where(s => Allows(s.Service, exchange).Write).Select(s => s.Service).ToList();
            Assert.True(writers.Count == 1, $"{exchange} may be published by {string.Join(", ", writers)}");
        }
    }

    [Theory]
    [InlineData("amq.default")] // the default exchange: write on it reaches every queue by name
    [InlineData("amq.topic")]
    [InlineData("MassTransit:Fault")]
    [InlineData(PartnerTopology.IntakeExchange)] // only partners publish partner messages
    [InlineData("partner-receipts.globalise")]
    public void No_service_may_write_to_shared_or_partner_names(string name)
    {
        foreach (var service in ServiceBrokerUsers.All)
        {
            Assert.False(Allows(service.Service, name).Write, $"{service.Service} may write to {name}");
        }
    }

    [Fact]
    public void Only_candidates_runs_the_partner_intake()
    {
        var candidates = Allows("candidates", PartnerTopology.IntakeQueue);
        Assert.True(candidates is (true, true, true));
        Assert.True(Allows("candidates", PartnerTopology.IntakeErrorExchange) is (true, true, true));
        Assert.True(Allows("candidates", PartnerTopology.ReceiptsExchange) is (true, true, false));
        Assert.True(Allows("candidates", PartnerTopology.IntakeExchange) is (true, false, true));
        Assert.False(Allows("candidates", PartnerTopology.ReceiptsQueue("globalise")).Read);
        foreach (var other in Others("candidates"))
        {
            Assert.True(Allows(other, PartnerTopology.IntakeQueue) is (false, false, false));
            Assert.True(Allows(other, PartnerTopology.IntakeExchange) is (false, false, false));
        }
    }

    [Fact]
    public void Service_users_cannot_collide_with_partner_users()
    {
        // Partner ids are letters, digits and dashes (PartnerNetworks); a service user has a dot.
        Assert.All(ServiceBrokerUsers.All, s => Assert.Contains('.', s.UserName));
        Assert.Throws<InvalidOperationException>(() => PartnerNetworks.Passwords(null!, ["service.candidates"]));
    }

    private static (bool Configure, bool Write, bool Read) Allows(string service, string name)
    {
        var permissions = ServiceBrokerUsers.For(service).Permissions;
        return (Regex.IsMatch(name, permissions.Configure), Regex.IsMatch(name, permissions.Write), Regex.IsMatch(name, permissions.Read));
    }

    private static IEnumerable<string> Others(string service) => ServiceBrokerUsers.All.Select(s => s.Service).Where(s => s != service);

    private static IEnumerable<Type> ConsumerTypes(string service) =>
        s_assemblies[service].GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false }
            && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)));

    private static IEnumerable<Type> ConsumedMessages(string service) =>
        ConsumerTypes(service).SelectMany(t => t.GetInterfaces())
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>))
            .Select(i => i.GetGenericArguments()[0])
            .Distinct();

    /// <summary>The receive queue of each consumer, named as ServiceMessagingExtensions has MassTransit name it.</summary>
    private static IEnumerable<string> ConsumerQueues(string service)
    {
        var formatter = new KebabCaseEndpointNameFormatter(service, includeNamespace: false);
        var consumer = typeof(KebabCaseEndpointNameFormatter).GetMethod(nameof(KebabCaseEndpointNameFormatter.Consumer), Type.EmptyTypes)!;
        return ConsumerTypes(service).Select(t => (string)consumer.MakeGenericMethod(t).Invoke(formatter, null)!);
    }
}
