using System.Text.Json;
using Microsoft.Extensions.Hosting;
using InterimPlatform.Candidates.Profiles;
using InterimPlatform.Contracts.Partners;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>A partner message read off the broker: valid, or rejected with every reason found.</summary>
public sealed record ReadMessage(PartnerMessage? Message, string PartnerId, IReadOnlyList<string> Reasons, CandidateInput? Profile)
{
    public bool IsValid => Reasons.Count == 0;
}

/// <summary>Reads and checks one partner message against schema 1.0 and the sender the broker vouched for.</summary>
public static class PartnerMessageReader
{
    public const string Upsert = "upsert";
    public const string Withdraw = "withdraw";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerOptions.Web) { MaxDepth = 16 };

    /// <param name="body">The message body.</param>
    /// <param name="userId">The AMQP user_id property; RabbitMQ refuses a message whose user_id is not the sender's user.</param>
    /// <param name="routingKey">
    /// The routing key it was published with: a partner's user may publish only with its own id (a topic permission,
    /// <c>PartnerNetworks</c>), so it names the sender of a message without user_id, to answer it.
    /// </param>
    public static ReadMessage Read(ReadOnlySpan<byte> body, string? userId, string? routingKey = null)
    {
        var sender = SenderOf(userId, routingKey);
        try
        {
            return ReadUnguarded(body, userId, sender);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A message that trips a reader bug is rejected with the reason, not retried for ever: one bad
            // message must never stop the intake of every partner.
            return Reject(sender, $"Could not be read: {e.Message}");
        }
    }

    /// <summary>Who the broker vouches sent the message: its user_id, else its routing key; <c>unknown</c> without either.</summary>
    public static string SenderOf(string? userId, string? routingKey) =>
        userId ?? (string.IsNullOrEmpty(routingKey) ? "unknown" : routingKey);

    private static ReadMessage ReadUnguarded(ReadOnlySpan<byte> body, string? userId, string sender)
    {
        if (body.Length > PartnerTopology.MaxMessageBytes)
        {
            return Reject(sender, $"The message is {body.Length} bytes; the limit is {PartnerTopology.MaxMessageBytes}.");
        }

        PartnerMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<PartnerMessage>(body, s_json);
        }
        catch (JsonException e)
        {
            // The reader stops at the first mistake and names .NET types: the walk names every field in the schema's words.
            var found = JsonFieldErrors.Find(body, typeof(PartnerMessage), s_json);
            return found.Malformed is null && found.Errors.Count > 0
                ? new ReadMessage(null, sender, Reasons(found), null)
                : Reject(sender, $"Not valid JSON for schema {PartnerTopology.SchemaVersion}: {found.Malformed ?? $"{JsonFieldErrors.PathOf(e.Path)} is not a valid value here."}");
        }

        if (message is null)
        {
            return Reject(sender, "The message is empty (null).");
        }

        if (message.SentAt is { } sentAt)
        {
            // Kept in UTC at the database's precision, so the order of two messages is what they say.
            var utc = sentAt.ToUniversalTime();
            message = message with { SentAt = utc.AddTicks(-(utc.Ticks % 10)) };
        }

        var reasons = new List<string>();
        if (message.SchemaVersion is null || !(message.SchemaVersion == "1" || message.SchemaVersion.StartsWith("1.", StringComparison.Ordinal)))
        {
            reasons.Add($"schemaVersion: '{message.SchemaVersion}' is not supported; send {PartnerTopology.SchemaVersion}.");
        }

        if (message.MessageId is null || message.MessageId == Guid.Empty)
        {
            reasons.Add("messageId: required, a UUID unique per message.");
        }

        if (userId is null)
        {
            reasons.Add($"The AMQP user_id property is required: set it to your RabbitMQ user name ('{sender}').");
        }
        else if (!string.Equals(message.PartnerId, userId, StringComparison.Ordinal))
        {
            reasons.Add($"partnerId: '{message.PartnerId}' does not match the sending user '{userId}'.");
        }

        if (message.SentAt is null)
        {
            reasons.Add("sentAt: required (ISO 8601 with offset).");
        }

        if (message.Kind is not (Upsert or Withdraw))
        {
            reasons.Add("kind: 'upsert' or 'withdraw'.");
        }

        if (message.Candidate?.PartnerPersonId is not { Length: > 0 and <= 200 })
        {
            reasons.Add("candidate.partnerPersonId: required, at most 200 characters.");
        }

        CandidateInput? profile = null;
        if (message.Kind == Upsert && message.Candidate is { } candidate)
        {
            profile = ToInput(candidate);
            reasons.AddRange(CandidateInputRules.Validate(profile).SelectMany(e => e.Value.Select(m => $"candidate.{Rename(e.Key)}: {m}")));
        }

        if (JsonFieldErrors.ContainsNul(body))
        {
            // PostgreSQL stores no U+0000: named by its field here rather than refused by the database later.
            reasons.AddRange(Reasons(JsonFieldErrors.Find(body, typeof(PartnerMessage), s_json)));
        }

        return new ReadMessage(message, sender, reasons, profile);
    }

    private static List<string> Reasons(JsonFieldErrors found) =>
        [.. found.Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}"))];

    private static ReadMessage Reject(string sender, string reason) => new(null, sender, [reason], null);

    /// <summary>
    /// The partner's lawful basis sits beside the profile in the schema; the profile rules call it privacy:
    /// privacy.lawfulBasis is the partner's lawfulBasis (its basis), privacy.recordedOn its lawfulBasis.recordedOn.
    /// </summary>
    private static string Rename(string field) => field switch
    {
        "privacy.lawfulBasis" => "lawfulBasis",
        _ when field.StartsWith("privacy.", StringComparison.Ordinal) => "lawfulBasis." + field["privacy.".Length..],
        _ => field,
    };

    // A null entry in a list ("languages": [null]) stays null, so the profile rules reject it at its index
    // instead of the intake failing on it.
    private static CandidateInput ToInput(PartnerCandidate c) => new(
        c.FullName,
        c.Email,
        c.Phone,
        c.Location is { } l ? new LocationInput(l.Country, l.City, l.WillingToTravel, l.WillingToRelocate, l.RemotePossible) : null,
        c.Languages?.Select(l => l is null ? null! : new LanguageInput(l.Code, l.Level)).ToList(),
        c.Levels?.ToList(),
        c.Disciplines?.ToList(),
        c.Industries?.ToList(),
        c.Skills?.ToList(),
        c.EngagementTypes?.ToList(),
        c.TrackRecord?.Select(a => a is null ? null! : new AssignmentInput(a.Sector, a.Role, a.EngagementType, a.Level, a.Months, a.Outcome, a.ClientRating, a.EndedOn)).ToList(),
        c.DayRate is { } r ? new RateInput(r.Amount, r.Currency) : null,
        c.Availability is { } a ? new AvailabilityInput(a.AvailableFrom, a.AvailableUntil, a.NoticeDays, a.DaysPerWeek) : null,
        c.Summary,
        new PrivacyInput(c.LawfulBasis?.Basis, c.LawfulBasis?.RecordedOn, null));
}
