using System.Security.Cryptography;
using System.Text;

namespace InterimPlatform.Messaging.Idempotency;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF httpapi draft "The Idempotency-Key HTTP Header Field"): how it
/// is read, checked and fingerprinted.
/// </summary>
public static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";

    /// <summary>The longest key accepted: room for any UUID, ULID or client-made composite.</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// The key from the header's values, or why it is refused. The draft makes the field a structured-field string
    /// (<c>"8e03978e-…"</c>, quoted); a bare token is accepted too, as most clients send one. Printable ASCII only, so
    /// the key is stored and compared exactly as sent.
    /// </summary>
    public static (string? Key, string? Error) Parse(IReadOnlyList<string?> values)
    {
        if (values.Count != 1)
        {
            return (null, $"Send one {Name} header, not {values.Count}.");
        }

        var key = values[0]?.Trim() ?? "";
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
        {
            key = key[1..^1];
        }

        if (key.Length == 0)
        {
            return (null, $"The {Name} header is empty: send a unique value per logical request (a UUID, for example).");
        }

        if (key.Length > MaxLength)
        {
            return (null, $"The {Name} header is {key.Length} characters long; at most {MaxLength} are accepted.");
        }

        if (key.Any(c => c is < ' ' or > '~' or '"' or '\\'))
        {
            return (null, $"The {Name} header may hold printable ASCII characters only (no quotes or backslashes inside the value).");
        }

        return (key, null);
    }

    /// <summary>The request body's fingerprint: SHA-256 of its bytes, exactly as sent.</summary>
    public static async Task<byte[]> FingerprintAsync(Stream body, CancellationToken cancellationToken) =>
        await SHA256.HashDataAsync(body, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The PostgreSQL advisory lock that marks a key in flight: 64 bits of SHA-256 over caller, route and key. Two
    /// different keys sharing a lock (a 1 in 2^64 chance) would only make one of them wait its turn with a 409.
    /// </summary>
    public static long LockId(string caller, string route, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"idempotency-key\n{caller}\n{route}\n{key}"));
        return BitConverter.ToInt64(hash, 0);
    }
}
