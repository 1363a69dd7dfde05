using System.Net;
using System.Text;
using System.Text.Json;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>Counts answers by class and keeps every one that breaks the rules: a 5xx, or a 4xx that is not an RFC 9457 problem.</summary>
internal sealed class Tally
{
    private readonly List<string> _failures = [];
    private readonly List<string> _refusals = [];

    public int Sent { get; private set; }

    public int Success { get; private set; }

    public int Redirect { get; private set; }

    public int ClientError { get; private set; }

    public int ServerError { get; private set; }

    public int NotProblem { get; private set; }

    public int TransportErrors { get; private set; }

    /// <summary>
    /// Requests Kestrel itself refused before any application code ran (an encoded NUL in the path): an empty
    /// 400 the gateway never saw, so it cannot be a problem. Counted and shown apart; not the application's answer.
    /// </summary>
    public int RefusedByServer { get; private set; }

    public SortedDictionary<int, int> ByStatus { get; } = [];

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyList<string> Refusals => _refusals;

    /// <param name="fromApplication">The answer carries the headers the gateway puts on every answer it makes.</param>
    public void Record(string method, string target, string caseName, HttpStatusCode status, string? mediaType, byte[] body, bool fromApplication = true)
    {
        Sent++;
        var code = (int)status;
        ByStatus[code] = ByStatus.GetValueOrDefault(code) + 1;
        switch (code)
        {
            case >= 500:
                ServerError++;
                Fail("5xx", method, target, caseName, code, mediaType, body);
                break;
            case >= 400:
                ClientError++;
                if (!fromApplication && code == 400 && body.Length == 0)
                {
                    RefusedByServer++;
                    _refusals.Add($"[refused by Kestrel] 400 {method} {Shorten(target)} ({caseName}): empty answer, no gateway headers: the request line was refused before the gateway ran");
                }
                else if (!IsProblem(code, mediaType, body))
                {
                    NotProblem++;
                    Fail("not a problem", method, target, caseName, code, mediaType, body);
                }

                break;
            case >= 300:
                Redirect++;
                break;
            default:
                Success++;
                break;
        }
    }

    public void RecordTransportError(string method, string target, string caseName, Exception error)
    {
        Sent++;
        TransportErrors++;
        _failures.Add($"[no answer] {method} {Shorten(target)} ({caseName}): {error.GetType().Name}: {error.Message}");
    }

    /// <summary>application/problem+json with at least the status (the answer's own) and a title.</summary>
    public static bool IsProblem(int status, string? mediaType, byte[] body)
    {
        if (!string.Equals(mediaType, "application/problem+json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == status
                && problem.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Fail(string kind, string method, string target, string caseName, int status, string? mediaType, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 1200)));
        text = text.Length > 300 ? text[..300] : text;
        _failures.Add($"[{kind}] {status} {method} {Shorten(target)} ({caseName}) {mediaType ?? "(no content type)"}: {text.ReplaceLineEndings(" ")}");
    }

    private static string Shorten(string target) => target.Length > 160 ? $"{target[..160]}…({target.Length} chars)" : target;
}
