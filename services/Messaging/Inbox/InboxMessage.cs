namespace InterimPlatform.Messaging.Inbox;

/// <summary>A message a consumer has applied; its key makes a redelivered message a no-op.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public string Consumer { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }
}
