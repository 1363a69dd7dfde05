using System.Text.RegularExpressions;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Engagements.V1;
using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.AppHost;

/// <summary>
/// Each domain service's own RabbitMQ user and what it may do (docs/messaging.md, "Broker users"): configure, write
/// and read its own queues and exchanges (everything named <c>{service}-…</c>: MassTransit's receive queues, their
/// <c>_error</c> and <c>_skipped</c> companions, the exchanges named after them, the bus endpoint), publish only
/// the events it owns, and bind only to the event exchanges it consumes. Another service's queues and events are
/// refused by the broker (403 ACCESS_REFUSED).
/// </summary>
public static class ServiceBrokerUsers
{
    /// <summary>The services that connect to the broker, each with the events it publishes and those it consumes.</summary>
    public static readonly IReadOnlyList<ServiceBrokerUser> All =
    [
        new("candidates",
            Publishes: [typeof(CandidateRegistered), typeof(CandidateProfileChanged), typeof(CandidateAvailabilityChanged), typeof(CandidateVettingChanged), typeof(CandidateEventBatch), typeof(CandidateErased)],
            Consumes: [typeof(CandidatePlaced), typeof(PlacementEnded), typeof(AssignmentCompleted)],
            // The partner intake (plain AMQP, docs/partners.md): Candidates owns and declares both partner exchanges,
            // binds its intake queue to the intake exchange (read) and answers on the receipts exchange (write). It
            // may not publish to the intake exchange: only partners do, under their own validated user_id.
            Configure: [PartnerTopology.IntakeExchange, PartnerTopology.ReceiptsExchange],
            Write: [PartnerTopology.ReceiptsExchange],
            Read: [PartnerTopology.IntakeExchange]),
        new("engagements",
            Publishes: [typeof(CandidatePlaced), typeof(PlacementEnded), typeof(AssignmentCompleted), typeof(SlaBreached), typeof(MatchRequested)],
            Consumes: [typeof(ShortlistProduced), typeof(CandidateErased)]),
        new("matching",
            Publishes: [typeof(ShortlistProduced)],
            Consumes:
            [
                typeof(CandidateRegistered), typeof(CandidateProfileChanged), typeof(CandidateAvailabilityChanged), typeof(CandidateVettingChanged),
                typeof(CandidateEventBatch), typeof(CandidateErased), typeof(CandidatePlaced), typeof(PlacementEnded), typeof(MatchRequested),
            ]),
    ];

    /// <summary>The service's entry in <see cref="All"/>.</summary>
    public static ServiceBrokerUser For(string service) =>
        All.SingleOrDefault(s => s.Service == service) ?? throw new ArgumentException($"'{service}' has no broker user; the services are {string.Join(", ", All.Select(s => s.Service))}.", nameof(service));
}

/// <summary>
/// One service's broker user: its name (<c>service.{service}</c>: the dot keeps it apart from every partner id,
/// which may hold only letters, digits and dashes) and its permission patterns, built from the events it publishes
/// and consumes.
/// </summary>
/// <param name="Service">The service name; MassTransit prefixes its queues with it (<c>{service}-{consumer}</c>).</param>
/// <param name="Publishes">The events the service owns: only it may write to their exchanges.</param>
/// <param name="Consumes">The events it subscribes to: it may bind from their exchanges (read) and declare them (configure).</param>
/// <param name="Configure">Other exchanges or queues, by exact name, it declares.</param>
/// <param name="Write">Other exchanges or queues, by exact name, it publishes to.</param>
/// <param name="Read">Other exchanges or queues, by exact name, it consumes or binds from.</param>
public sealed record ServiceBrokerUser(
    string Service,
    IReadOnlyList<Type> Publishes,
    IReadOnlyList<Type> Consumes,
    IReadOnlyList<string>? Configure = null,
    IReadOnlyList<string>? Write = null,
    IReadOnlyList<string>? Read = null)
{
    /// <summary>The RabbitMQ user name.</summary>
    public string UserName => $"service.{Service}";

    /// <summary>The Aspire resource (a child of the <c>messaging</c> node) and the name of its password parameter's prefix.</summary>
    public string ResourceName => $"messaging-{Service}";

    /// <summary>The pattern for everything the service names itself: <c>{service}-</c> and anything after it.</summary>
    public string OwnNames => $"{Regex.Escape(Service)}-.*";

    /// <summary>
    /// Configure (declare, delete): its own names, its events' exchanges, and the exchanges of the events it consumes
    /// — MassTransit declares the source exchange of every binding it makes and has no passive declaration, and
    /// RabbitMQ 3.10 checks configure on every non-passive declare, even of an exchange that exists. Configure without
    /// write cannot publish there; what it does allow is deleting that exchange (docs/messaging.md says why we accept it).
    /// </summary>
    /// <remarks>Never the default exchange (<c>amq.default</c>): write on it would reach every queue by name.</remarks>
    public RabbitMQPermissions Permissions => new(
        Configure: Pattern([OwnNames, .. Publishes.Select(ExactExchange), .. Consumes.Select(ExactExchange), .. (Configure ?? []).Select(Exact)]),
        Write: Pattern([OwnNames, .. Publishes.Select(ExactExchange), .. (Write ?? []).Select(Exact)]),
        Read: Pattern([OwnNames, .. Consumes.Select(ExactExchange), .. (Read ?? []).Select(Exact)]));

    /// <summary>The exchange MassTransit publishes <paramref name="message"/> to: <c>{namespace}:{type name}</c>.</summary>
    public static string ExchangeOf(Type message) => $"{message.Namespace}:{message.Name}";

    private static string ExactExchange(Type message) => Exact(ExchangeOf(message));

    private static string Exact(string name) => Regex.Escape(name);

    private static string Pattern(IEnumerable<string> alternatives) => $"^({string.Join('|', alternatives.Distinct(StringComparer.Ordinal))})$";
}
