using System.Net;
using InterimPlatform.Ops.Business;
using InterimPlatform.Ops.Messaging;

namespace InterimPlatform.Ops;

/// <summary>
/// The Ops service's configuration. The AppHost sets it as environment variables (any configuration source works,
/// with <c>:</c> for <c>__</c>):
/// <list type="table">
/// <listheader><term>variable</term><description>meaning</description></listheader>
/// <item><term><c>Ops__LoginToken</c></term><description><b>Required</b>: the service refuses to start without it.
/// <c>GET /login?t=&lt;token&gt;</c> exchanges it for the session cookie. Generate a new one at every start.</description></item>
/// <item><term><c>services__gateway__http__0</c></term><description>The gateway's URL (Aspire's service discovery
/// convention; <c>services__gateway__https__0</c> is read when there is no http one). Without it the pages say what
/// they cannot read and act on.</description></item>
/// <item><term><c>Ops__AdminApiKey</c></term><description>A gateway key with the <c>admin</c> role: moving failed messages
/// back and discarding them. Without it the Messaging page is read-only.</description></item>
/// <item><term><c>Ops__OpsApiKey</c></term><description>A gateway key with the <c>ops</c> role: the SLA lists and KPIs
/// and the partner intake tallies of the Business health page.</description></item>
/// <item><term><c>Ops__RabbitMQ__ManagementUrl</c>, <c>Ops__RabbitMQ__UserName</c>, <c>Ops__RabbitMQ__Password</c></term>
/// <description>RabbitMQ's management HTTP API and a user of it (the queues, and the failed messages peeked in place).
/// <c>Ops__RabbitMQ__VirtualHost</c> is optional (default <c>/</c>).</description></item>
/// <item><term><c>Ops__Partners__0</c> … <c>Ops__Partners__N</c></term><description>The partner networks charted one by
/// one on the Business health page, in this order (partners not listed are charted after them).</description></item>
/// <item><term><c>ASPNETCORE_URLS</c></term><description>Where it listens; only loopback hosts (<c>localhost</c>,
/// <c>127.0.0.1</c>, <c>[::1]</c>) are accepted. The launch profile uses <c>http://localhost:5190</c>.</description></item>
/// </list>
/// The usual service variables apply as for every service: <c>OTEL_*</c> (ServiceDefaults exports traces, metrics and
/// logs over OTLP), <c>ASPNETCORE_ENVIRONMENT</c>.
/// </summary>
public sealed class OpsOptions
{
    public const string Section = "Ops";
    public const string GatewayHttpSetting = "services:gateway:http:0";
    public const string GatewayHttpsSetting = "services:gateway:https:0";

    /// <summary><c>Ops__LoginToken</c>: the secret of the login link.</summary>
    public string? LoginToken { get; set; }

    /// <summary><c>Ops__AdminApiKey</c>: a gateway key with the admin role (move back, discard).</summary>
    public string? AdminApiKey { get; set; }

    /// <summary><c>Ops__OpsApiKey</c>: a gateway key with the ops role (SLA, partner intake tallies).</summary>
    public string? OpsApiKey { get; set; }

    /// <summary><c>Ops__RabbitMQ__*</c>: the broker's management API.</summary>
    public OpsRabbitMQOptions RabbitMQ { get; set; } = new();

    /// <summary><c>Ops__Partners__N</c>: the partner networks, charted one by one.</summary>
    public List<string> Partners { get; set; } = [];

    /// <summary>From <c>services__gateway__http__0</c> (or <c>__https__0</c>), not from the <c>Ops</c> section.</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>Reads and checks the configuration; throws, naming the variable, when the service must not start.</summary>
    public static OpsOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<OpsOptions>() ?? new OpsOptions();
        if (string.IsNullOrWhiteSpace(options.LoginToken))
        {
            throw new InvalidOperationException(
                "Ops__LoginToken is not set: the ops pages never run without a login token (the AppHost generates one at every start and shows the login link).");
        }

        options.LoginToken = options.LoginToken.Trim();
        var gateway = configuration[GatewayHttpSetting] is { Length: > 0 } http ? http : configuration[GatewayHttpsSetting];
        if (!string.IsNullOrWhiteSpace(gateway))
        {
            options.GatewayUrl = Uri.TryCreate(gateway, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url
                : throw new InvalidOperationException($"services__gateway__http__0 is not an http(s) URL: '{gateway}'.");
        }

        options.Partners = [.. options.Partners.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct(StringComparer.Ordinal)];
        RequireLoopback(configuration["urls"], configuration["http_ports"], configuration["https_ports"]);
        return options;
    }

    /// <summary>What the Messaging page needs: the broker, and the gateway with the admin key.</summary>
    public void ConfigureMessaging(MessagingOptions messaging)
    {
        messaging.ManagementUrl = RabbitMQ.ManagementUrl;
        messaging.UserName = RabbitMQ.UserName;
        messaging.Password = RabbitMQ.Password;
        messaging.VirtualHost = RabbitMQ.VirtualHost;
        messaging.GatewayUrl = GatewayUrl;
        messaging.AdminApiKey = string.IsNullOrWhiteSpace(AdminApiKey) ? null : AdminApiKey;
    }

    /// <summary>What the Business health page needs: the gateway with the ops key, and the partners.</summary>
    public void ConfigureBusiness(BusinessOptions business)
    {
        business.GatewayUrl = GatewayUrl;
        business.ApiKey = string.IsNullOrWhiteSpace(OpsApiKey) ? null : OpsApiKey;
        business.Partners = [.. Partners];
    }

    /// <summary>
    /// The ops pages are for this machine, as every service here: <c>ASPNETCORE_URLS</c> may name only loopback hosts.
    /// Nothing set means Kestrel's default, <c>http://localhost:5000</c>. <c>ASPNETCORE_HTTP_PORTS</c> (or HTTPS) alone
    /// would listen on every interface, so it is refused.
    /// </summary>
    internal static void RequireLoopback(string? urls, string? httpPorts = null, string? httpsPorts = null)
    {
        if (string.IsNullOrWhiteSpace(urls) && (!string.IsNullOrWhiteSpace(httpPorts) || !string.IsNullOrWhiteSpace(httpsPorts)))
        {
            throw new InvalidOperationException("ASPNETCORE_HTTP_PORTS / ASPNETCORE_HTTPS_PORTS listen on every interface: set ASPNETCORE_URLS to a loopback URL (http://localhost:5190) instead.");
        }

        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.Host.Trim('[', ']') : null;
            var loopback = host is not null &&
                (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)));
            if (!loopback)
            {
                throw new InvalidOperationException($"ASPNETCORE_URLS names '{url}': the ops pages listen on loopback only (localhost, 127.0.0.1 or [::1]).");
            }
        }
    }
}

/// <summary><c>Ops__RabbitMQ__*</c>: RabbitMQ's management HTTP API.</summary>
public sealed class OpsRabbitMQOptions
{
    /// <summary><c>Ops__RabbitMQ__ManagementUrl</c>, for example <c>http://127.0.0.1:15672/</c>.</summary>
    public Uri? ManagementUrl { get; set; }

    /// <summary><c>Ops__RabbitMQ__UserName</c>.</summary>
    public string UserName { get; set; } = "";

    /// <summary><c>Ops__RabbitMQ__Password</c>.</summary>
    public string Password { get; set; } = "";

    /// <summary><c>Ops__RabbitMQ__VirtualHost</c>, <c>/</c> by default.</summary>
    public string VirtualHost { get; set; } = "/";
}
