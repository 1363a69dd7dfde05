using System.Text.RegularExpressions;
using InterimPlatform.Contracts.Partners;
using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.AppHost;

/// <summary>
/// Gives each partner network its own RabbitMQ user that may publish to the partner intake exchange, with its own id
/// as the routing key, and read its own receipts queue, and nothing else. Passwords are generated per installation and kept in
/// <c>.apphost/partners.json</c>, to be handed to each partner's integration engineer.
/// </summary>
public static partial class PartnerNetworks
{
    public const string CredentialsFile = "partners.json";

    public static IReadOnlyDictionary<string, string> Passwords(StateFolder state, IReadOnlyList<string> partnerIds)
    {
        foreach (var id in partnerIds.Where(id => !PartnerId().IsMatch(id)))
        {
            throw new InvalidOperationException($"Partner id '{id}' must be lower-case letters, digits and dashes (it is a RabbitMQ user and a routing key).");
        }

        return state.LoadOrCreateCredentials(CredentialsFile, partnerIds);
    }

    /// <summary>The intake and receipts exchanges, the intake queue, each partner's receipts queue, and each partner's user.</summary>
    public static RabbitMQProvisioning Provisioning(IReadOnlyList<string> partnerIds, IReadOnlyDictionary<string, string> passwords) => new(
        [
            new RabbitMQExchange(PartnerTopology.IntakeExchange),
            new RabbitMQExchange(PartnerTopology.ReceiptsExchange),
            new RabbitMQExchange(PartnerTopology.IntakeErrorExchange, "fanout"),
        ],
        // The intake queue exists before Candidates first starts, so nothing a partner sends early is lost.
        [
            new RabbitMQQueue(PartnerTopology.IntakeQueue, PartnerTopology.IntakeExchange),
            new RabbitMQQueue(PartnerTopology.IntakeErrorQueue, PartnerTopology.IntakeErrorExchange, RoutingKey: ""),
            .. partnerIds.Select(id => new RabbitMQQueue(PartnerTopology.ReceiptsQueue(id), PartnerTopology.ReceiptsExchange, RoutingKey: id)),
        ],
        [.. partnerIds.Select(id => new RabbitMQUser(
            id,
            passwords[id],
            Configure: "^$",
            Write: $"^{Regex.Escape(PartnerTopology.IntakeExchange)}$",
            Read: $"^{Regex.Escape(PartnerTopology.ReceiptsQueue(id))}$",
            // The routing key is the partner's own id, proven by the broker like user_id: a message sent without
            // user_id (most clients do not set it) can still be answered on the sender's own receipts queue.
            TopicWrites: [new RabbitMQTopicWrite(PartnerTopology.IntakeExchange, $"^{Regex.Escape(id)}$")]))]);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex PartnerId();
}
