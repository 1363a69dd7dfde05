namespace InterimPlatform.Messaging.Idempotency;

/// <summary>How long keys are kept, from the <c>Idempotency</c> configuration section.</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// How long a key and its answer are kept: a retry within this time is answered from the first outcome; after
    /// it the key is forgotten and may be used again. 24 hours covers any client's retries and an overnight outage.
    /// </summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired keys are deleted.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
