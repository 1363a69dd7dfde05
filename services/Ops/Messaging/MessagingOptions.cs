namespace InterimPlatform.Ops.Messaging;

/// <summary>
/// Where the Messaging page reads the broker and acts on failed messages, filled from the service's configuration
/// (<see cref="OpsOptions.ConfigureMessaging"/>: <c>Ops__RabbitMQ__*</c>, <c>services__gateway__http__0</c>, <c>Ops__AdminApiKey</c>).
/// </summary>
public sealed class MessagingOptions
{
    /// <summary>RabbitMQ's management HTTP API, for example <c>http://127.0.0.1:15672/</c>.</summary>
    public Uri? ManagementUrl { get; set; }

    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>The virtual host the platform uses.</summary>
    public string VirtualHost { get; set; } = "/";

    /// <summary>
    /// The gateway, through which failed messages are moved back or discarded by the service that owns the
    /// queue (<c>/api/{service}/messaging/error-queues</c>); null leaves the page read-only.
    /// </summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>A gateway key with the <c>admin</c> role (<c>Ops__AdminApiKey</c>): only admins may replay or discard (docs/gateway.md).</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>The services whose error-queue APIs are asked which queues they own.</summary>
    public IList<string> Services { get; set; } = ["candidates", "engagements", "matching"];

    /// <summary>How many messages of an error queue the page shows.</summary>
    public int PeekCount { get; set; } = 50;
}
