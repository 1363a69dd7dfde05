namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>
/// A partner message that was rejected and whose error copy and receipt the broker confirmed. A message
/// redelivered after that (the service crashed or lost its connection before acknowledging it) is then
/// acknowledged without a second error copy, so the error queue holds each rejected message once.
/// </summary>
public sealed class PartnerRejection
{
    /// <summary>SHA-256 of the AMQP message_id, in hex: any id a partner sends (long, odd characters) fits.</summary>
    public required string MessageKey { get; init; }

    /// <summary>The broker-validated sender (AMQP user_id), so one partner cannot shadow another's message ids.</summary>
    public required string SenderId { get; init; }

    /// <summary>Only ids and a time: the reasons, which may quote personal data, stay in the error queue.</summary>
    public DateTimeOffset RejectedAt { get; init; }
}
