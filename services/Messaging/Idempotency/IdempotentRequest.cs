namespace InterimPlatform.Messaging.Idempotency;

/// <summary>
/// A creating request made with an <c>Idempotency-Key</c>, and the answer it got: a retry with the same key and
/// body is answered from here instead of being carried out again. One row per caller, route and key; it is
/// written in the same transaction as whatever the request created, so either both are stored or neither.
/// </summary>
public sealed class IdempotentRequest
{
    /// <summary>Who sent it (the name the gateway vouches for): keys of different callers never meet.</summary>
    public string Caller { get; set; } = "";

    /// <summary>The request's path: the same key on another route is another request.</summary>
    public string Route { get; set; } = "";

    /// <summary>The key as the client sent it.</summary>
    public string Key { get; set; } = "";

    /// <summary>SHA-256 of the request body: a retry must send the same body.</summary>
    public byte[] RequestHash { get; set; } = [];

    public int StatusCode { get; set; }

    public string? Location { get; set; }

    public string? ETag { get; set; }

    public string? ContentType { get; set; }

    public byte[] Body { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the key is forgotten (and purged): a request with it is a new request.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
