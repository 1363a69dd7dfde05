namespace InterimPlatform.Ops.Business;

/// <summary>Where the Business health page reads the services' APIs: through the gateway, with a read-only key.</summary>
public sealed class BusinessOptions
{
    /// <summary>The gateway (<c>services__gateway__http__0</c>); null leaves the page saying it cannot read anything.</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>A gateway key with the <c>ops</c> role (<c>Ops__OpsApiKey</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The partner networks charted one by one, in this order (<c>Ops__Partners__N</c>).</summary>
    public IList<string> Partners { get; set; } = [];
}
