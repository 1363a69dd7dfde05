using InterimPlatform.Hosting.Servers;
using InterimPlatform.Hosting.State;
using Npgsql;

namespace InterimPlatform.Hosting.ApplicationModel;

/// <summary>Something the AppHost runs or provides, named as services will refer to it (Aspire's IResource).</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>The kind shown to people: PostgreSQL, Database, RabbitMQ, Project.</summary>
    public abstract string Type { get; }

    /// <summary>Resources that must be healthy before this one starts (Aspire's WaitFor).</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <summary>Resources this one cannot exist without (a database needs its server).</summary>
    public virtual Resource? Parent => null;
}

/// <summary>A resource that services reach through <c>ConnectionStrings__{Name}</c>.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    /// <summary>The connection string; defined once the model's ports and credentials are allocated.</summary>
    string GetConnectionString();
}

/// <summary>A PostgreSQL server; databases are added to it.</summary>
public sealed class PostgresServerResource(string name) : Resource(name)
{
    public override string Type => "PostgreSQL";

    /// <summary>Data survives restarts (Aspire's WithDataVolume); otherwise the data directory is recreated at each start.</summary>
    public bool PersistentData { get; set; }

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public int Port { get; internal set; }

    public string Password { get; internal set; } = "";
}

/// <summary>A database on a <see cref="PostgresServerResource"/>, created when missing.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server, string databaseName) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "Database";

    public override Resource? Parent => Server;

    public PostgresServerResource Server { get; } = server;

    public string DatabaseName { get; } = databaseName;

    /// <summary>The login role that owns the database: the service connects as it, not as the superuser.</summary>
    public string OwnerRole => $"{DatabaseName}_owner";

    public string OwnerPassword { get; internal set; } = "";

    /// <summary>Npgsql keyword form, as Aspire gives it; the user is the database's own role.</summary>
    public string GetConnectionString() => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Server.Port,
        Username = OwnerRole,
        Password = OwnerPassword,
        Database = DatabaseName,
    }.ConnectionString;
}

/// <summary>A RabbitMQ node.</summary>
public sealed class RabbitMQServerResource(string name) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "RabbitMQ";

    public bool PersistentData { get; set; }

    public bool ManagementPlugin { get; set; }

    /// <summary>A fixed AMQP port (partners connect to it); otherwise one is chosen free at start.</summary>
    public int? AmqpPort { get; set; }

    public RabbitMQNodeOptions? NodeOptions { get; internal set; }

    /// <summary><c>amqp://user:password@host:port</c>, as Aspire gives it.</summary>
    public string GetConnectionString() => RabbitMQNode.BuildAmqpUri(NodeOptions ?? throw new InvalidOperationException($"{Name} has not been allocated yet.")).ToString().TrimEnd('/');

    public string? ManagementUrl => ManagementPlugin && NodeOptions is { } options ? $"http://127.0.0.1:{options.ManagementPort}/" : null;

    /// <summary>Exchanges, queues and users declared once the node is up, at every start (idempotent).</summary>
    public List<Func<StateFolder, RabbitMQProvisioning>> Provisioning { get; } = [];
}

/// <summary>What to declare on a RabbitMQ node.</summary>
public sealed record RabbitMQProvisioning(IReadOnlyList<RabbitMQExchange> Exchanges, IReadOnlyList<RabbitMQQueue> Queues, IReadOnlyList<RabbitMQUser> Users);

/// <summary>A .NET project of this repository, run from its build output.</summary>
public sealed class ProjectResource(string name, string projectPath) : Resource(name)
{
    public override string Type => "Project";

    public string ProjectPath { get; } = projectPath;

    /// <summary>A fixed port for the HTTP endpoint (public endpoints); otherwise one is chosen free at start.</summary>
    public int? FixedPort { get; set; }

    /// <summary>Host name the endpoint binds to: localhost for the public gateway, 127.0.0.1 otherwise.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; internal set; }

    /// <summary>Path polled for health (Aspire's WithHttpHealthCheck).</summary>
    public string HealthPath { get; set; } = "/health";

    public List<IResourceWithConnectionString> ConnectionReferences { get; } = [];

    public List<ProjectResource> ServiceReferences { get; } = [];

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Values that come from the installation's state (secrets generated on first run), resolved at start.</summary>
    public Dictionary<string, Func<State.StateFolder, string>> StateEnvironment { get; } = [];

    public string HttpUrl => $"http://{Host}:{Port}";

    /// <summary>How many instances to run (Aspire's WithReplicas); each gets its own port and competes for the same queues.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>The declared project this instance is a replica of; null for the declared project itself.</summary>
    public ProjectResource? ReplicaOf { get; private init; }

    /// <summary>The service every instance belongs to: telemetry and service discovery use this name.</summary>
    public string ServiceName => ReplicaOf?.Name ?? Name;

    /// <summary>The other instances of this project (<c>{name}-2</c>, <c>{name}-3</c>, …), made when the app model is built.</summary>
    public List<ProjectResource> ReplicaInstances { get; } = [];

    /// <summary>Every instance: this one first, then its replicas.</summary>
    public IEnumerable<ProjectResource> Instances => [this, .. ReplicaInstances];

    /// <summary>Instance <paramref name="number"/> (2 and up): the same project, references and settings on a port of its own.</summary>
    internal ProjectResource CreateReplica(int number)
    {
        var replica = new ProjectResource($"{Name}-{number}", ProjectPath)
        {
            ReplicaOf = this,
            Host = Host,
            HealthPath = HealthPath,
        };
        replica.WaitsFor.AddRange(WaitsFor);
        replica.ConnectionReferences.AddRange(ConnectionReferences);
        replica.ServiceReferences.AddRange(ServiceReferences);
        foreach (var (key, value) in Environment)
        {
            replica.Environment[key] = value;
        }

        foreach (var (key, value) in StateEnvironment)
        {
            replica.StateEnvironment[key] = value;
        }

        ReplicaInstances.Add(replica);
        return replica;
    }
}
