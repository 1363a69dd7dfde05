using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Ops.Messaging;

/// <summary>A queue as the Messaging page lists it.</summary>
/// <param name="Ready">Messages waiting for a consumer.</param>
/// <param name="Unacknowledged">Messages delivered and not yet acknowledged.</param>
/// <param name="PublishRate">Messages per second arriving (RabbitMQ's own moving rate).</param>
/// <param name="DeliverRate">Messages per second delivered or fetched.</param>
public sealed record QueueStatus(
    string Name,
    long Ready,
    long Unacknowledged,
    int Consumers,
    double PublishRate,
    double DeliverRate,
    string Type)
{
    public long Depth => Ready + Unacknowledged;

    /// <summary>MassTransit's <c>&lt;queue&gt;_error</c>, and the partner intake's rejections (same convention).</summary>
    public bool IsErrorQueue => ErrorQueueNames.IsErrorQueue(Name);

    /// <summary>The queue a failed message came from, for an error queue.</summary>
    public string? SourceQueue => ErrorQueueNames.SourceOf(Name);
}

/// <summary>A message of an error queue, looked at and left in place.</summary>
/// <param name="Reason">Why it failed: MassTransit's <c>MT-Fault-Message</c>, or the partner intake's <c>x-rejection-reasons</c>.</param>
public sealed record PeekedMessage(
    string? MessageId,
    string? MessageType,
    string? ExceptionType,
    string? Reason,
    string? FailedAt,
    bool Redelivered,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body,
    bool BodyTruncated);

public static class ErrorQueueNames
{
    public const string Suffix = "_error";

    public static bool IsErrorQueue(string name) => name.EndsWith(Suffix, StringComparison.Ordinal) && name.Length > Suffix.Length;

    public static string? SourceOf(string name) => IsErrorQueue(name) ? name[..^Suffix.Length] : null;
}

/// <summary>
/// Reads queues and peeks at messages through RabbitMQ's management HTTP API. Read-only by design: moving and
/// discarding go through the owning service (<see cref="FailedMessageActions"/>), which can do it without
/// risking the message (the management API cannot take one given message, nor publish and ack atomically).
/// </summary>
public sealed class BrokerQueues(HttpClient http, IOptions<MessagingOptions> options)
{
    private const int BodyLimit = 20_000;

    private MessagingOptions Options => options.Value;

    public bool IsConfigured => Options.ManagementUrl is not null;

    /// <summary>Every queue of the virtual host, by name.</summary>
    public async Task<IReadOnlyList<QueueStatus>> ListAsync(CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"api/queues/{Uri.EscapeDataString(Options.VirtualHost)}?columns=name,type,messages_ready,messages_unacknowledged,consumers,message_stats");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var queues = await response.Content.ReadFromJsonAsync<List<ManagementQueue>>(cancellationToken).ConfigureAwait(false) ?? [];
        return queues
            .Select(q => new QueueStatus(
                q.Name,
                q.MessagesReady ?? 0,
                q.MessagesUnacknowledged ?? 0,
                q.Consumers ?? 0,
                q.MessageStats?.PublishDetails?.Rate ?? 0,
                q.MessageStats?.DeliverGetDetails?.Rate ?? 0,
                q.Type ?? "classic"))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The first <paramref name="count"/> messages of <paramref name="queue"/>. They are fetched and requeued
    /// at once (ackmode <c>ack_requeue_true</c>): they stay, marked redelivered, in their place.
    /// </summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string queue, int count, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, $"api/queues/{Uri.EscapeDataString(Options.VirtualHost)}/{Uri.EscapeDataString(queue)}/get");
        request.Content = JsonContent.Create(new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = BodyLimit });
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<List<ManagementMessage>>(cancellationToken).ConfigureAwait(false) ?? [];
        return messages.Select(Describe).ToList();
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var baseUrl = Options.ManagementUrl ?? throw new InvalidOperationException("MessagingOptions.ManagementUrl is not set.");
        var request = new HttpRequestMessage(method, new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Options.UserName}:{Options.Password}")));
        return request;
    }

    internal static PeekedMessage Describe(ManagementMessage message)
    {
        // RabbitMQ writes a message without properties as [] rather than {}: read them leniently.
        var properties = message.Properties is { ValueKind: JsonValueKind.Object } p ? p : default;
        string? Property(string name) => properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var headers = new List<KeyValuePair<string, string>>();
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in h.EnumerateObject())
            {
                headers.Add(new(header.Name, HeaderText(header.Value)));
            }
        }

        string? Header(string name) => headers.FirstOrDefault(x => x.Key == name).Value;

        var body = message.PayloadEncoding == "base64"
            ? $"(binary, {message.PayloadBytes} bytes) {message.Payload}"
            : message.Payload ?? "";
        return new PeekedMessage(
            Property("message_id"),
            Header("MT-Fault-MessageType") ?? Property("type"),
            Header("MT-Fault-ExceptionType"),
            Header("MT-Fault-Message") ?? Header("x-rejection-reasons") ?? Header("MT-Reason"),
            Header("MT-Fault-Timestamp") ?? Header("x-rejected-at"),
            message.Redelivered,
            headers,
            body,
            message.PayloadBytes > BodyLimit);
    }

    private static string HeaderText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "",
        _ => value.GetRawText(),
    };

    internal sealed record ManagementQueue(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("messages_ready")] long? MessagesReady,
        [property: JsonPropertyName("messages_unacknowledged")] long? MessagesUnacknowledged,
        [property: JsonPropertyName("consumers")] int? Consumers,
        [property: JsonPropertyName("message_stats")] ManagementStats? MessageStats);

    internal sealed record ManagementStats(
        [property: JsonPropertyName("publish_details")] ManagementRate? PublishDetails,
        [property: JsonPropertyName("deliver_get_details")] ManagementRate? DeliverGetDetails);

    internal sealed record ManagementRate([property: JsonPropertyName("rate")] double Rate);

    internal sealed record ManagementMessage(
        [property: JsonPropertyName("payload")] string? Payload,
        [property: JsonPropertyName("payload_bytes")] long PayloadBytes,
        [property: JsonPropertyName("payload_encoding")] string? PayloadEncoding,
        [property: JsonPropertyName("redelivered")] bool Redelivered,
        [property: JsonPropertyName("properties")] JsonElement? Properties);
}
