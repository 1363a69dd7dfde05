namespace InterimPlatform.Messaging;

/// <summary>
/// A message that can never be processed as it is (a missing field, a value out of range). Thrown by a
/// consumer, it skips the retries and sends the message straight to the error queue with this reason.
/// </summary>
public sealed class MessageValidationException(string message) : Exception(message);
