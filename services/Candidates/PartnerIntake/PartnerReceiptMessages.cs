using System.Text;
using System.Text.Json;
using InterimPlatform.Contracts.Partners;
using RabbitMQ.Client;

namespace InterimPlatform.Candidates.PartnerIntake;

/// <summary>A receipts message as it goes to a partner's receipts queue.</summary>
public sealed record ReceiptMessage(BasicProperties Properties, byte[] Body);

/// <summary>
/// The receipts in the form each partner message asked for (<see cref="ReceiptForm"/>): one per message, or a
/// partner's receipts of one intake batch together. Each names its form in the AMQP <c>type</c>, so a client reading
/// one queue can tell them apart.
/// </summary>
public static class PartnerReceiptMessages
{
    /// <summary>
    /// Whether a partner message asked for its receipt in a batch. Read from the AMQP headers, not the body, so a
    /// message too broken to read is answered in the form it asked for; any other value gets the single v1 receipt
    /// every client understands.
    /// </summary>
    public static bool AsksForBatch(IDictionary<string, object?>? headers) =>
        headers is not null
        && headers.TryGetValue(ReceiptForm.Header, out var value)
        && string.Equals(value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }, ReceiptForm.Batch, StringComparison.OrdinalIgnoreCase);

    /// <param name="correlationId">The partner's message id, to match the receipt without reading it.</param>
    public static ReceiptMessage Single(PartnerReceipt receipt, string? correlationId) =>
        new(Properties(ReceiptForm.SingleType, correlationId), JsonSerializer.SerializeToUtf8Bytes(receipt, JsonSerializerOptions.Web));

    /// <param name="receipts">One partner's receipts of one intake batch, in arrival order (at most <see cref="PartnerReceiptBatch.MaxReceipts"/>).</param>
    public static ReceiptMessage Batch(string partnerId, IReadOnlyList<PartnerReceipt> receipts) =>
        new(Properties(ReceiptForm.BatchType, correlationId: null), JsonSerializer.SerializeToUtf8Bytes(new PartnerReceiptBatch(PartnerReceiptBatch.Version, partnerId, receipts), JsonSerializerOptions.Web));

    private static BasicProperties Properties(string type, string? correlationId) => new()
    {
        ContentType = "application/json",
        DeliveryMode = DeliveryModes.Persistent,
        MessageId = Guid.NewGuid().ToString(),
        Type = type,
        CorrelationId = correlationId,
    };
}
