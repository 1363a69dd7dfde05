using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace InterimPlatform.Hosting.Servers;

/// <summary>An exchange to declare (durable).</summary>
public sealed record RabbitMQExchange(string Name, string Type = "topic");

/// <summary>A durable queue, optionally bound to an exchange.</summary>
public sealed record RabbitMQQueue(string Name, string? BoundTo = null, string RoutingKey = "#");

/// <summary>
/// A broker user of its own, limited by RabbitMQ's permission patterns (regular expressions over
/// resource names): what it may declare (configure), publish to (write) and consume from (read).
/// </summary>
public sealed record RabbitMQUser(string Name, string Password, string Configure, string Write, string Read);

/// <summary>Declares exchanges, queues, users and permissions through the management API: idempotent, so it runs at every start.</summary>
public static class RabbitMQTopology
{
    public static async Task ApplyAsync(
        RabbitMQNode node,
        IEnumerable<RabbitMQExchange> exchanges,
        IEnumerable<RabbitMQQueue> queues,
        IEnumerable<RabbitMQUser> users,
        CancellationToken cancellationToken)
    {
        if (!node.Options.ManagementPlugin)
        {
            throw new InvalidOperationException("Declaring users needs the management plugin.");
        }

        using var http = new HttpClient { BaseAddress = node.ManagementUri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{node.Options.UserName}:{node.Options.Password}")));
        const string vhost = "%2F";
        foreach (var exchange in exchanges)
        {
            await PutAsync(http, $"api/exchanges/{vhost}/{Uri.EscapeDataString(exchange.Name)}", new { type = exchange.Type, durable = true, auto_delete = false }, cancellationToken).ConfigureAwait(false);
        }

        foreach (var queue in queues)
        {
            await PutAsync(http, $"api/queues/{vhost}/{Uri.EscapeDataString(queue.Name)}", new { durable = true, auto_delete = false }, cancellationToken).ConfigureAwait(false);
            if (queue.BoundTo is { } exchange)
            {
                using var response = await http.PostAsJsonAsync(
                    $"api/bindings/{vhost}/e/{Uri.EscapeDataString(exchange)}/q/{Uri.EscapeDataString(queue.Name)}",
                    new { routing_key = queue.RoutingKey },
                    cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var user in users)
        {
            await PutAsync(http, $"api/users/{Uri.EscapeDataString(user.Name)}", new { password = user.Password, tags = "" }, cancellationToken).ConfigureAwait(false);
            await PutAsync(http, $"api/permissions/{vhost}/{Uri.EscapeDataString(user.Name)}", new { configure = user.Configure, write = user.Write, read = user.Read }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task PutAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(path, body, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"RabbitMQ management API: {(int)response.StatusCode} for {response.RequestMessage?.RequestUri}: {body}");
        }
    }
}
