using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>
/// A PostgreSQL server run by DCP from the machine's binaries, in a data directory of its own, on one loopback
/// port without DCP's proxy (a stopped server refuses connections instead of a proxy accepting them).
/// Its connection string is the superuser's, for the AppHost; services get a database's.
/// </summary>
public sealed class PostgresServerResource(string name, string workingDirectory, ParameterResource password, string dataDirectory, int port)
    : ExecutableResource(name, "/bin/sh", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string SuperUser = "postgres";

    public ParameterResource PasswordParameter { get; } = password;

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The loopback port, fixed for the AppHost's lifetime so a restarted server is found where it was.</summary>
    public int Port { get; } = port;

    /// <summary>Trades crash safety for speed (fsync off): for throw-away test servers only.</summary>
    public bool Ephemeral { get; set; }

    internal List<PostgresDatabaseResource> Databases { get; } = [];

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Port.ToString(System.Globalization.CultureInfo.InvariantCulture)};Username={SuperUser};Password={PasswordParameter}");
}

/// <summary>
/// A database on a <see cref="PostgresServerResource"/>, created when missing, owned by a login role of its own
/// (<c>{database}_owner</c>) that no other database lets in: the service using it connects as that role, not as the superuser.
/// </summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource server, ParameterResource ownerPassword)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public PostgresServerResource Parent { get; } = server;

    public string DatabaseName { get; } = databaseName;

    public string OwnerRole => $"{DatabaseName}_owner";

    public ParameterResource OwnerPassword { get; } = ownerPassword;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={Parent.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)};Username={OwnerRole};Password={OwnerPassword};Database={DatabaseName}");
}
