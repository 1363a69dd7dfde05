using k8s;
using k8s.Models;

namespace InterimPlatform.Tests.Deployment;

/// <summary>
/// Models of the operators' resources deploy/kubernetes uses (the Kubernetes client has none for custom resources):
/// the RabbitMQ Cluster Operator's <c>RabbitmqCluster</c>, the Messaging Topology Operator's users, permissions,
/// exchanges, queues and bindings, CloudNativePG's <c>Cluster</c> and <c>Database</c>. The fields the tests check are
/// typed; parsing is strict, so a field the operators' CRDs do not have (a typo) fails.
/// </summary>
public static class OperatorResources
{
    public static readonly IDictionary<string, Type> TypeMap = new Dictionary<string, Type>
    {
        ["rabbitmq.com/v1beta1/RabbitmqCluster"] = typeof(RabbitmqCluster),
        ["rabbitmq.com/v1beta1/User"] = typeof(RabbitmqUser),
        ["rabbitmq.com/v1beta1/Permission"] = typeof(RabbitmqPermission),
        ["rabbitmq.com/v1beta1/TopicPermission"] = typeof(RabbitmqTopicPermission),
        ["rabbitmq.com/v1beta1/Exchange"] = typeof(RabbitmqExchange),
        ["rabbitmq.com/v1beta1/Queue"] = typeof(RabbitmqQueue),
        ["rabbitmq.com/v1beta1/Binding"] = typeof(RabbitmqBinding),
        ["postgresql.cnpg.io/v1/Cluster"] = typeof(CnpgCluster),
        ["postgresql.cnpg.io/v1/Database"] = typeof(CnpgDatabase),
    };
}

public abstract class OperatorResource<TSpec> : IKubernetesObject<V1ObjectMeta>, IMetadata<V1ObjectMeta>
    where TSpec : new()
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public TSpec Spec { get; set; } = new();
}

public sealed class NameReference
{
    public string Name { get; set; } = "";
}

/// <summary>Loosely typed (the operator's spec is large); the tests read <c>replicas</c>.</summary>
public sealed class RabbitmqCluster : OperatorResource<Dictionary<string, object>>;

public sealed class RabbitmqUser : OperatorResource<RabbitmqUser.UserSpec>
{
    public sealed class UserSpec
    {
        public NameReference RabbitmqClusterReference { get; set; } = new();

        public List<string> Tags { get; set; } = [];

        public NameReference? ImportCredentialsSecret { get; set; }
    }
}

public sealed class RabbitmqPermission : OperatorResource<RabbitmqPermission.PermissionSpec>
{
    public sealed class PermissionSpec
    {
        public string Vhost { get; set; } = "";

        public string? User { get; set; }

        public NameReference? UserReference { get; set; }

        public Patterns Permissions { get; set; } = new();

        public NameReference RabbitmqClusterReference { get; set; } = new();
    }

    public sealed class Patterns
    {
        public string Configure { get; set; } = "";

        public string Write { get; set; } = "";

        public string Read { get; set; } = "";
    }
}

public sealed class RabbitmqTopicPermission : OperatorResource<RabbitmqTopicPermission.TopicPermissionSpec>
{
    public sealed class TopicPermissionSpec
    {
        public string Vhost { get; set; } = "";

        public string? User { get; set; }

        public NameReference? UserReference { get; set; }

        public TopicPatterns Permissions { get; set; } = new();

        public NameReference RabbitmqClusterReference { get; set; } = new();
    }

    public sealed class TopicPatterns
    {
        public string Exchange { get; set; } = "";

        public string Write { get; set; } = "";

        public string Read { get; set; } = "";
    }
}

public sealed class RabbitmqExchange : OperatorResource<RabbitmqExchange.ExchangeSpec>
{
    public sealed class ExchangeSpec
    {
        public string Name { get; set; } = "";

        public string Vhost { get; set; } = "";

        public string Type { get; set; } = "";

        public bool Durable { get; set; }

        public NameReference RabbitmqClusterReference { get; set; } = new();
    }
}

public sealed class RabbitmqQueue : OperatorResource<RabbitmqQueue.QueueSpec>
{
    public sealed class QueueSpec
    {
        public string Name { get; set; } = "";

        public string Vhost { get; set; } = "";

        public string? Type { get; set; }

        public bool Durable { get; set; }

        public bool AutoDelete { get; set; }

        public NameReference RabbitmqClusterReference { get; set; } = new();
    }
}

public sealed class RabbitmqBinding : OperatorResource<RabbitmqBinding.BindingSpec>
{
    public sealed class BindingSpec
    {
        public string Vhost { get; set; } = "";

        public string Source { get; set; } = "";

        public string Destination { get; set; } = "";

        public string DestinationType { get; set; } = "";

        public string RoutingKey { get; set; } = "";

        public NameReference RabbitmqClusterReference { get; set; } = new();
    }
}

/// <summary>Loosely typed; the tests read <c>instances</c>, <c>managed.roles</c> and <c>postgresql.pg_hba</c>.</summary>
public sealed class CnpgCluster : OperatorResource<Dictionary<string, object>>;

public sealed class CnpgDatabase : OperatorResource<CnpgDatabase.DatabaseSpec>
{
    public sealed class DatabaseSpec
    {
        public string Name { get; set; } = "";

        public string Owner { get; set; } = "";

        public NameReference Cluster { get; set; } = new();
    }
}
