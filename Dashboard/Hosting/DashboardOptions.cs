using InterimPlatform.Dashboard.Business;
using InterimPlatform.Dashboard.Messaging;

namespace InterimPlatform.Dashboard.Hosting;

/// <summary>How the dashboard runs: its loopback ports, the secrets the AppHost gives it, and where telemetry is kept.</summary>
public sealed class DashboardOptions
{
    /// <summary>The UI's port (Aspire's 18888).</summary>
    public int Port { get; init; } = 18888;

    /// <summary>OTLP over gRPC, HTTP/2 without TLS (Aspire's 18889).</summary>
    public int OtlpGrpcPort { get; init; } = 18889;

    /// <summary>OTLP over HTTP/protobuf (Aspire's 18890).</summary>
    public int OtlpHttpPort { get; init; } = 18890;

    /// <summary>The secret of the printed login link; new at every AppHost start.</summary>
    public required string LoginToken { get; init; }

    /// <summary>What every OTLP request must carry in <c>x-otlp-api-key</c>; kept per installation.</summary>
    public required string OtlpApiKey { get; init; }

    /// <summary>Where stored telemetry is persisted (the AppHost's <c>&lt;state folder&gt;/telemetry</c>).</summary>
    public required string StorageDirectory { get; init; }

    /// <summary>
    /// Where the Messaging page finds the broker and the gateway; run when the page is first used, by which time
    /// the AppHost has allocated the broker's ports.
    /// </summary>
    public Action<MessagingOptions>? ConfigureMessaging { get; init; }

    /// <summary>Where the Business health page finds the gateway, and with which key; run when the page is first used.</summary>
    public Action<BusinessOptions>? ConfigureBusiness { get; init; }

    public string BaseUrl => $"http://localhost:{Port}";

    public string LoginUrl => $"{BaseUrl}/login?t={Uri.EscapeDataString(LoginToken)}";
}
