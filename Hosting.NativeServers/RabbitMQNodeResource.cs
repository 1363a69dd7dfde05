using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>
/// A RabbitMQ node run by DCP from Debian's <c>rabbitmq-server</c>, with every path, port and credential private
/// to it: listeners on 127.0.0.1 only, a generated administrator instead of guest, its own Erlang port mapper.
/// Its connection string is the AMQP URI services receive as <c>ConnectionStrings__{name}</c>.
/// </summary>
public sealed class RabbitMQNodeResource(string name, string baseDirectory, string userName, ParameterResource password, RabbitMQNodePorts ports)
    : ExecutableResource(name, "/bin/sh", baseDirectory), IResourceWithConnectionString
{
    public const string AmqpEndpointName = "amqp";
    public const string ManagementEndpointName = "management";

    public string UserName { get; } = userName;

    public ParameterResource PasswordParameter { get; } = password;

    public RabbitMQNodePorts Ports { get; } = ports;

    /// <summary>Stable, so the node finds its own message store again after a restart.</summary>
    public string NodeName => "interim@localhost";

    public Uri ManagementUri => new($"http://127.0.0.1:{Ports.Management.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Exchanges, queues and narrow users declared once the node is up (partner networks' users, for example).</summary>
    public List<RabbitMQProvisioning> Provisioning { get; } = [];

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter}@127.0.0.1:{Ports.Amqp.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>The node's loopback ports, chosen when the model is declared (none goes through DCP's proxy).</summary>
public sealed record RabbitMQNodePorts(int Amqp, int Management, int Distribution, int Epmd)
{
    public static RabbitMQNodePorts Allocate(int? amqp = null) =>
        new(amqp ?? LoopbackPorts.GetFreePort(), LoopbackPorts.GetFreePort(), LoopbackPorts.GetFreePort(), LoopbackPorts.GetFreePort());
}

/// <summary>An exchange to declare (durable).</summary>
public sealed record RabbitMQExchange(string Name, string Type = "topic");

/// <summary>A durable queue, optionally bound to an exchange.</summary>
public sealed record RabbitMQQueue(string Name, string? BoundTo = null, string RoutingKey = "#");

/// <summary>
/// A broker user of its own, limited by RabbitMQ's permission patterns (regular expressions over resource
/// names): what it may declare (configure), publish to (write) and consume from (read); and, on topic exchanges,
/// which routing keys it may publish with (<paramref name="TopicWrites"/>).
/// </summary>
public sealed record RabbitMQUser(string Name, string Password, string Configure, string Write, string Read, IReadOnlyList<RabbitMQTopicWrite>? TopicWrites = null);

/// <summary>
/// A topic permission: on the topic exchange <paramref name="Exchange"/> the user may publish only with routing keys
/// matching <paramref name="RoutingKeys"/> (a regular expression); the broker closes the channel (403) otherwise.
/// </summary>
public sealed record RabbitMQTopicWrite(string Exchange, string RoutingKeys);

/// <summary>What to declare on the node at every start (idempotent).</summary>
public sealed record RabbitMQProvisioning(IReadOnlyList<RabbitMQExchange> Exchanges, IReadOnlyList<RabbitMQQueue> Queues, IReadOnlyList<RabbitMQUser> Users);

/// <summary>
/// What a broker user may do on the virtual host <c>/</c>: RabbitMQ's three permission patterns (regular expressions
/// over exchange and queue names): declare and delete (configure), publish to or bind into (write), consume from
/// or bind from (read).
/// </summary>
public sealed record RabbitMQPermissions(string Configure, string Write, string Read);

/// <summary>
/// A broker user of its own on a <see cref="RabbitMQNodeResource"/>, created (and its password and permissions set)
/// by the AppHost as the node's administrator once the node is up. Its connection string is the AMQP URI of that
/// user, so a service referencing it connects as itself rather than as the administrator.
/// </summary>
public sealed class RabbitMQUserResource(string name, string userName, RabbitMQNodeResource node, ParameterResource password, RabbitMQPermissions permissions)
    : Resource(name), IResourceWithParent<RabbitMQNodeResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public RabbitMQNodeResource Parent { get; } = node;

    public string UserName { get; } = userName;

    public ParameterResource PasswordParameter { get; } = password;

    public RabbitMQPermissions Permissions { get; } = permissions;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{Uri.EscapeDataString(UserName)}:{PasswordParameter}@127.0.0.1:{Parent.Ports.Amqp.ToString(CultureInfo.InvariantCulture)}");
}
