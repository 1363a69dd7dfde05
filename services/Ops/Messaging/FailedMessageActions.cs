using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace InterimPlatform.Ops.Messaging;

/// <summary>What happened to a move-back or discard request.</summary>
public sealed record FailedMessageActionResult(bool Succeeded, int Count, string Message);

/// <summary>
/// Moves failed messages back to their queue, or discards them, by asking the service that owns the queue
/// (its <c>/api/{service}/messaging/error-queues</c> API, through the gateway with an admin key).
/// </summary>
/// <remarks>
/// Why not the management API: it can only take the <em>first</em> messages of a queue, and a take
/// (<c>ack_requeue_false</c>) followed by a publish loses the message if the publish fails in between. The
/// service's API keeps the message unacknowledged on an AMQP channel, republishes it to the source queue with
/// publisher confirms, and acknowledges it only after the broker confirmed; other messages it passes over go
/// back in place. The gateway also records who did it in its audit log, and the service's inbox makes a
/// replay of a partly applied message harmless.
/// </remarks>
public sealed class FailedMessageActions(HttpClient http, IOptions<MessagingOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim _ownersLock = new(1, 1);
    private IReadOnlyDictionary<string, string>? _owners;
    private DateTimeOffset _ownersAt;

    private MessagingOptions Options => options.Value;

    /// <summary>Whether the page may act at all (a gateway and an admin key are configured).</summary>
    public bool IsConfigured => Options.GatewayUrl is not null && !string.IsNullOrEmpty(Options.AdminApiKey);

    /// <summary>
    /// The service that owns <paramref name="sourceQueue"/> and can replay its failed messages, or null (for
    /// example the partner intake's rejections, which the partner fixes and resends with a new message id).
    /// </summary>
    public async Task<string?> OwnerOfAsync(string sourceQueue, CancellationToken cancellationToken)
    {
        var owners = await OwnersAsync(cancellationToken).ConfigureAwait(false);
        return owners.TryGetValue(sourceQueue, out var service) ? service : null;
    }

    /// <summary>Each service's queues (asked again at most every 30 s: services declare queues as they start).</summary>
    public async Task<IReadOnlyDictionary<string, string>> OwnersAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return new Dictionary<string, string>();
        }

        await _ownersLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_owners is not null && time.GetUtcNow() - _ownersAt < TimeSpan.FromSeconds(30))
            {
                return _owners;
            }

            var owners = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var service in Options.Services)
            {
                try
                {
                    using var request = Request(HttpMethod.Get, $"api/{service}/messaging/error-queues");
                    using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        continue; // a service that is down owns nothing for now; asked again next time
                    }

                    foreach (var queue in await response.Content.ReadFromJsonAsync<List<ErrorQueueEntry>>(cancellationToken).ConfigureAwait(false) ?? [])
                    {
                        owners[queue.Queue] = service;
                    }
                }
                catch (HttpRequestException)
                {
                    // the gateway or the service is unreachable: the page shows the queue without actions
                }
            }

            _owners = owners;
            _ownersAt = time.GetUtcNow();
            return owners;
        }
        finally
        {
            _ownersLock.Release();
        }
    }

    /// <summary>Moves the failed message back to <paramref name="sourceQueue"/> for reprocessing.</summary>
    public Task<FailedMessageActionResult> MoveBackAsync(string sourceQueue, string messageId, CancellationToken cancellationToken) =>
        ActAsync(sourceQueue, messageId, HttpMethod.Post, "/replay", "moved back", cancellationToken);

    /// <summary>Deletes the failed message for good.</summary>
    public Task<FailedMessageActionResult> DiscardAsync(string sourceQueue, string messageId, CancellationToken cancellationToken) =>
        ActAsync(sourceQueue, messageId, HttpMethod.Delete, "", "discarded", cancellationToken);

    private async Task<FailedMessageActionResult> ActAsync(string sourceQueue, string messageId, HttpMethod method, string suffix, string done, CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return new(false, 0, "No gateway or no admin key is configured (services__gateway__http__0, Ops__AdminApiKey): the page is read-only.");
        }

        if (await OwnerOfAsync(sourceQueue, cancellationToken).ConfigureAwait(false) is not { } service)
        {
            return new(false, 0, $"No service owns {sourceQueue}: its messages cannot be moved from here.");
        }

        using var request = Request(method, $"api/{service}/messaging/error-queues/{Uri.EscapeDataString(sourceQueue)}/messages/{Uri.EscapeDataString(messageId)}{suffix}");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var moved = await response.Content.ReadFromJsonAsync<MovedEntry>(cancellationToken).ConfigureAwait(false);
            return new(true, moved?.Count ?? 0, $"Message {messageId} {done}.");
        }

        var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new(false, 0, $"Message {messageId} is no longer in {sourceQueue}{ErrorQueueNames.Suffix} (already moved or discarded?)."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new(false, 0, $"The gateway refused the ops pages' admin key ({(int)response.StatusCode}): replaying and discarding need the admin role."),
            _ => new(false, 0, $"{service} answered {(int)response.StatusCode}: {Truncate(detail, 300)}"),
        };
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(Options.GatewayUrl!.ToString().TrimEnd('/') + "/"), path));
        request.Headers.Add("X-Api-Key", Options.AdminApiKey);
        return request;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private sealed record ErrorQueueEntry(string Queue, string ErrorQueue, uint Messages);

    private sealed record MovedEntry(int Count);
}
