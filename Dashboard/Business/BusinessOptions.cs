namespace InterimPlatform.Dashboard.Business;

/// <summary>Where the Business health page reads the services' APIs: through the gateway, with a read-only key.</summary>
public sealed class BusinessOptions
{
    /// <summary>The gateway, <c>http://localhost:5100</c> by default.</summary>
    public Uri GatewayUrl { get; set; } = new("http://localhost:5100");

    /// <summary>A gateway key with the <c>ops</c> role (the AppHost's development key in <c>.apphost/api-keys.json</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The partner networks whose ingestion is charted one by one (the metric's <c>partner</c> tag).</summary>
    public IList<string> Partners { get; set; } = [];

    /// <summary>The service that records <c>interimplatform.partner_intake.messages</c>.</summary>
    public string IntakeService { get; set; } = "candidates";
}
