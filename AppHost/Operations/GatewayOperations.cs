using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace InterimPlatform.AppHost.Operations;

/// <summary>
/// The dashboard's commands act through the gateway, like any client: the gateway enforces the role and writes its
/// audit record (actor <c>development-admin</c> or <c>development-ops</c>), and a service that is down answers 503
/// there. Reads use the ops key, actions the admin key.
/// </summary>
public sealed class GatewayOperations(Uri gateway, string opsKey, string adminKey) : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };

    public Uri Gateway => gateway;

    public Task<GatewayAnswer<T>> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), opsKey, cancellationToken);

    public Task<GatewayAnswer<T>> PostAsync<T>(string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: s_json) }, adminKey, cancellationToken);

    private async Task<GatewayAnswer<T>> SendAsync<T>(HttpRequestMessage request, string key, CancellationToken cancellationToken)
    {
        using (request)
        {
            request.Headers.Add("X-Api-Key", key);
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return new(response.StatusCode, await response.Content.ReadFromJsonAsync<T>(s_json, cancellationToken), null);
                }

                var problem = await ReadProblemAsync(response, cancellationToken);
                return new(response.StatusCode, default, problem);
            }
            catch (HttpRequestException e)
            {
                return new(null, default, $"The gateway at {gateway} cannot be reached ({e.Message}).");
            }
        }
    }

    private static async Task<string> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return string.Join(" ", new[] { title, detail }.Where(s => !string.IsNullOrWhiteSpace(s)));
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A gateway's answer: the value, or what went wrong in words for the dashboard.</summary>
/// <param name="Status">The HTTP status, or null when the gateway could not be reached.</param>
public sealed record GatewayAnswer<T>(HttpStatusCode? Status, T? Value, string? Problem)
{
    public bool Succeeded => Problem is null && Status is { } s && (int)s is >= 200 and < 300;
}
