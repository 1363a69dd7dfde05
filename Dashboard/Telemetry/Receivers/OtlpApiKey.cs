using System.Security.Cryptography;
using System.Text;

namespace InterimPlatform.Dashboard.Telemetry.Receivers;

/// <summary>The key OTLP senders must present in the <c>x-otlp-api-key</c> header (Aspire's header and scheme).</summary>
internal sealed class OtlpApiKey(TelemetryOptions options)
{
    public const string HeaderName = "x-otlp-api-key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    /// <summary>Constant-time, so the time to refuse tells nothing about how much of a key was right. No configured key refuses all.</summary>
    public bool Accepts(string? presented) =>
        _expected is not null && presented is not null && CryptographicOperations.FixedTimeEquals(_expected, Encoding.UTF8.GetBytes(presented));
}
