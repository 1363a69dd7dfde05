namespace InterimPlatform.Messaging.Outbox;

/// <summary>
/// Lets a service's outbox send several events of some types as one message. A partner's push writes an event per
/// person; sent one message each they cost the broker, the dispatcher and every consumer a message apiece. Register
/// one implementation as a singleton; without one, every event travels alone.
/// </summary>
public interface IOutboxBatchForm
{
    /// <summary>Whether an event of this type may travel in the batch message.</summary>
    bool Carries(Type eventType);

    /// <summary>
    /// The one message carrying these events (at least two, at most one per aggregate), each under the message id it
    /// would have had alone, so that consumers recognise a re-sent event whichever way it travels.
    /// </summary>
    object Pack(IReadOnlyList<(Guid MessageId, object Event)> events);
}
