namespace InterimPlatform.Contracts.Partners;

/// <summary>
/// Where partner networks push candidates, in plain AMQP (any language, no MassTransit): publish a
/// <see cref="PartnerMessage"/> as JSON to <see cref="IntakeExchange"/> with routing key = your partner id
/// and the AMQP <c>user_id</c> property = your RabbitMQ user (= partner id); read your receipts from
/// <see cref="ReceiptsQueue(string)"/>. See docs/partners.md.
/// </summary>
public static class PartnerTopology
{
    public const string IntakeExchange = "partner-intake";
    public const string IntakeQueue = "candidates-partner-intake";
    public const string IntakeErrorQueue = IntakeQueue + "_error";

    /// <summary>
    /// Where Candidates sends a rejected message on to <see cref="IntakeErrorQueue"/>: a fanout exchange of the queue's
    /// name bound to it alone (as MassTransit does for its error queues), so Candidates' broker user needs no write on
    /// the default exchange, which would reach every queue. Internal to the platform; partners never see it.
    /// </summary>
    public const string IntakeErrorExchange = IntakeErrorQueue;
    public const string ReceiptsExchange = "partner-receipts";
    public const string SchemaVersion = "1.0";
    public const int MaxMessageBytes = 256 * 1024;

    public static string ReceiptsQueue(string partnerId) => $"partner-receipts.{partnerId}";
}

/// <summary>The envelope of a partner message (schema 1.0: docs/partners/partner-candidate-message.v1.schema.json).</summary>
/// <param name="MessageId">Unique per message; sending the same id again changes nothing.</param>
/// <param name="PartnerId">Your partner id; must equal the AMQP user_id the broker validated.</param>
/// <param name="SentAt">When you sent it; for one person, a message older than the last applied one is ignored.</param>
/// <param name="SchemaVersion">"1.0" (any 1.x is read as 1.0; unknown fields are ignored).</param>
/// <param name="Kind">"upsert" (create or update the person) or "withdraw" (you no longer share the person: their data is erased).</param>
public sealed record PartnerMessage(Guid? MessageId, string? PartnerId, DateTimeOffset? SentAt, string? SchemaVersion, string? Kind, PartnerCandidate? Candidate);

/// <summary>The candidate as the partner knows them.</summary>
/// <param name="PartnerPersonId">Your id for the person: the same id always maps to the same candidate.</param>
/// <param name="LawfulBasis">The GDPR basis on which you collected the data and share it.</param>
public sealed record PartnerCandidate(
    string? PartnerPersonId,
    string? FullName,
    string? Email,
    string? Phone,
    PartnerLocation? Location,
    IReadOnlyList<PartnerLanguage>? Languages,
    IReadOnlyList<string>? Levels,
    IReadOnlyList<string>? Disciplines,
    IReadOnlyList<string>? Industries,
    IReadOnlyList<string>? Skills,
    IReadOnlyList<string>? EngagementTypes,
    IReadOnlyList<PartnerAssignment>? TrackRecord,
    PartnerRate? DayRate,
    PartnerAvailability? Availability,
    string? Summary,
    PartnerLawfulBasis? LawfulBasis);

public sealed record PartnerLocation(string? Country, string? City, bool WillingToTravel, bool WillingToRelocate, bool RemotePossible);

public sealed record PartnerLanguage(string? Code, string? Level);

public sealed record PartnerAssignment(string? Sector, string? Role, string? EngagementType, string? Level, int Months, string? Outcome, int? ClientRating, DateOnly? EndedOn);

public sealed record PartnerRate(decimal Amount, string? Currency);

public sealed record PartnerAvailability(DateOnly? AvailableFrom, DateOnly? AvailableUntil, int NoticeDays, int DaysPerWeek = 5);

/// <param name="Basis">consent, legitimate-interest or contract.</param>
/// <param name="RecordedOn">When the consent was given or the basis established.</param>
public sealed record PartnerLawfulBasis(string? Basis, DateOnly? RecordedOn);

/// <summary>The answer to every partner message, on the partner's receipts queue (schema: docs/partners/partner-receipt.v1.schema.json).</summary>
/// <param name="Status">accepted, rejected, duplicate (this message id was processed before) or stale (older than what was applied).</param>
/// <param name="Reasons">Why it was rejected, one entry per problem (field paths as in the schema).</param>
/// <param name="CandidateId">The agency's candidate id for the person, when accepted.</param>
public sealed record PartnerReceipt(
    Guid? MessageId,
    string PartnerId,
    string? PartnerPersonId,
    string Status,
    IReadOnlyList<string> Reasons,
    Guid? CandidateId,
    DateTimeOffset ProcessedAt);

/// <summary>
/// Several receipts in one message: the answer to the messages of one intake batch that asked for it with the AMQP
/// header <see cref="ReceiptForm.Header"/> = <see cref="ReceiptForm.Batch"/>
/// (schema: docs/partners/partner-receipt-batch.v1.schema.json).
/// </summary>
/// <param name="SchemaVersion"><see cref="Version"/>; a 1.x may add fields, which clients ignore.</param>
/// <param name="PartnerId">Whose receipts they are: the partner of the receipts queue.</param>
/// <param name="Receipts">The v1 receipts, in the order their messages arrived; at most <see cref="MaxReceipts"/>.</param>
public sealed record PartnerReceiptBatch(string SchemaVersion, string PartnerId, IReadOnlyList<PartnerReceipt> Receipts)
{
    public const string Version = "1.0";

    /// <summary>One intake batch's worth: far below any AMQP frame or message size limit.</summary>
    public const int MaxReceipts = 500;
}

/// <summary>
/// How a partner asks for its receipts: per message, with the AMQP header <see cref="Header"/>. Absent or any value
/// but <see cref="Batch"/>: one <see cref="PartnerReceipt"/> per message, as always. Each receipts message says its
/// form in the AMQP <c>type</c> property.
/// </summary>
public static class ReceiptForm
{
    public const string Header = "x-receipt-form";

    /// <summary>The header value asking for the message's receipt inside a <see cref="PartnerReceiptBatch"/> (compared case-insensitively).</summary>
    public const string Batch = "batch.v1";

    /// <summary>The <c>type</c> of a message holding one <see cref="PartnerReceipt"/>.</summary>
    public const string SingleType = "partner-receipt.v1";

    /// <summary>The <c>type</c> of a message holding a <see cref="PartnerReceiptBatch"/>.</summary>
    public const string BatchType = "partner-receipt-batch.v1";
}

public static class ReceiptStatus
{
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Duplicate = "duplicate";
    public const string Stale = "stale";
}
