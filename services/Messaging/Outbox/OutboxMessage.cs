using System.Diagnostics;
using System.Text.Json;

namespace InterimPlatform.Messaging.Outbox;

/// <summary>
/// An integration event waiting to be published, written in the same transaction as the state change
/// that caused it. Its id is the message id consumers see, so a re-send is recognisable as the same message.
/// </summary>
public sealed class OutboxMessage
{
    // Resolving a type by name costs an assembly lookup; a service has only a handful of event types.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Type> s_types = new(StringComparer.Ordinal);

    public Guid Id { get; private set; }

    /// <summary>Insertion order; events are dispatched in this order.</summary>
    public long Sequence { get; private set; }

    /// <summary>The aggregate (candidate, engagement ...) the event is about.</summary>
    public string AggregateId { get; private set; } = "";

    /// <summary>CLR type of the event, as "Namespace.Type, Assembly".</summary>
    public string MessageType { get; private set; } = "";

    public string Payload { get; private set; } = "";

    /// <summary>W3C trace context of the request that wrote the event, so the consumer joins its trace.</summary>
    public string? TraceParent { get; private set; }

    public string? TraceState { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? SentAt { get; internal set; }

    public int Attempts { get; internal set; }

    public string? LastError { get; internal set; }

    public static OutboxMessage Create<T>(T message, string aggregateId, DateTimeOffset now) where T : class
    {
        var type = typeof(T);
        return new OutboxMessage
        {
            Id = SequentialGuid.Next(now),
            AggregateId = aggregateId,
            MessageType = TypeName<T>.Value,
            Payload = JsonSerializer.Serialize(message, JsonSerializerOptions.Web),
            TraceParent = Activity.Current?.Id,
            TraceState = Activity.Current?.TraceStateString,
            CreatedAt = now,
        };
    }

    /// <summary>Turns the row back into the event object it was written from.</summary>
    public (object Message, Type Type) Deserialize()
    {
        var type = s_types.GetOrAdd(MessageType, name => Type.GetType(name, throwOnError: true)!);
        var message = JsonSerializer.Deserialize(Payload, type, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException($"Outbox message {Id} has an empty payload.");
        return (message, type);
    }
}

/// <summary>"Namespace.Type, Assembly" of an event type, computed once per type.</summary>
file static class TypeName<T>
{
    public static readonly string Value = $"{typeof(T).FullName}, {typeof(T).Assembly.GetName().Name}";
}
