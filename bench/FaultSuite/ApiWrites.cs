using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>One API write and what the client learnt about it.</summary>
internal sealed record ApiWrite(string Kind, string Key)
{
    /// <summary>A success answer, on the first attempt or on a retry that found it already applied.</summary>
    public bool Acknowledged { get; set; }

    public Guid? Id { get; set; }

    public int Attempts { get; set; }

    public string? LastFailure { get; set; }

    /// <summary>The <c>Idempotency-Key</c> sent with every attempt of a create: one per logical create.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Not acknowledged, and an attempt may have been applied: the client cannot tell whether it exists.</summary>
    public bool OutcomeUnknown { get; set; }

    /// <summary>Whether this write creates something (and so carries an <c>Idempotency-Key</c>).</summary>
    public bool IsCreate => Kind.EndsWith(" created", StringComparison.Ordinal);
}

/// <summary>
/// API writes through the gateway, as a careful client makes them. A write is retried when retrying is safe:
/// after a 429 or a 503 that says nothing was changed, after a refused connection (nothing was sent),
/// and, for writes that carry their own identity (a candidate's unique e-mail, a state transition), after any
/// failure; there a 409 on a retry means the earlier attempt was applied. Every create carries an
/// <c>Idempotency-Key</c> of its own and is retried with the same key whenever its outcome is unknown (a 503 with
/// <c>outcome: unknown</c>, any 5xx, a timeout, a broken connection) or its first attempt is still running (409):
/// the platform answers a retry of an applied create with the first answer, so no create stays unknown.
/// </summary>
internal sealed class ApiWrites(HttpClient gateway, string run)
{
    public const int CandidateCreates = 900;
    public const int VettingTransitions = 450;
    public const int Chains = 125;
    public const int ExtraClients = 25;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;
    private readonly ConcurrentQueue<ApiWrite> _writes = new();
    private readonly ConcurrentQueue<double> _latencies = new();

    public IReadOnlyCollection<ApiWrite> Writes => _writes;

    public IReadOnlyCollection<double> LatenciesMs => _latencies;

    public static int Total => CandidateCreates + VettingTransitions + (Chains * 5) + ExtraClients;

    public Task RunAsync(TimeSpan spread, CancellationToken cancellationToken) =>
        Task.WhenAll(CandidatesLaneAsync(spread, cancellationToken), EngagementsLaneAsync(spread, cancellationToken));

    /// <summary>900 candidates; after every second one, the oldest unscreened candidate is screened.</summary>
    private async Task CandidatesLaneAsync(TimeSpan spread, CancellationToken cancellationToken)
    {
        var pace = spread / (CandidateCreates + VettingTransitions);
        var toScreen = new Queue<ApiWrite>();
        var screened = 0;
        for (var i = 0; i < CandidateCreates; i++)
        {
            var next = Task.Delay(pace, cancellationToken);
            var email = $"fault-{run}-{i}@suite.example";
            var write = await SendAsync(new ApiWrite("candidate created", email), HttpMethod.Post, "/api/candidates", CandidateBody(email, i), conflictMeansApplied: true, cancellationToken);
            if (write.Acknowledged)
            {
                toScreen.Enqueue(write);
            }

            await next;
            if (i % 2 == 1 && screened < VettingTransitions && toScreen.TryDequeue(out var candidate))
            {
                await ScreenAsync(candidate, cancellationToken);
                screened++;
                await Task.Delay(pace, cancellationToken);
            }
        }

        while (screened < VettingTransitions && toScreen.TryDequeue(out var candidate))
        {
            await ScreenAsync(candidate, cancellationToken);
            screened++;
        }
    }

    private async Task ScreenAsync(ApiWrite candidate, CancellationToken cancellationToken)
    {
        candidate.Id ??= await FindCandidateAsync(candidate.Key, cancellationToken);
        var write = new ApiWrite("vetting transition", candidate.Key) { Id = candidate.Id };
        if (candidate.Id is not { } id)
        {
            write.LastFailure = "the candidate's id was never learnt";
            _writes.Enqueue(write);
            return;
        }

        await SendAsync(write, HttpMethod.Post, $"/api/candidates/{id}/vetting", new JsonObject { ["to"] = "screened", ["reason"] = $"fault suite {run}" }, conflictMeansApplied: true, cancellationToken);
    }

    /// <summary>125 chains of: a client, two engagements, the first taken to intake and shortlisted; then 25 more clients.</summary>
    private async Task EngagementsLaneAsync(TimeSpan spread, CancellationToken cancellationToken)
    {
        var pace = spread / ((Chains * 5) + ExtraClients);
        for (var i = 0; i < Chains + ExtraClients; i++)
        {
            var client = await PacedAsync(new ApiWrite("client created", $"Fault Client {run}-{i}"), HttpMethod.Post, "/api/engagements/clients",
                new JsonObject { ["name"] = $"Fault Client {run}-{i}", ["industry"] = "manufacturing" }, false, pace, cancellationToken);
            if (i >= Chains)
            {
                continue;
            }

            ApiWrite? first = null;
            for (var e = 0; e < 2; e++)
            {
                var title = $"Fault Engagement {run}-{i}-{e}";
                var engagement = new ApiWrite("engagement created", title);
                if (client.Id is not { } clientId)
                {
                    engagement.LastFailure = "its client was not acknowledged";
                    _writes.Enqueue(engagement);
                }
                else
                {
                    await PacedAsync(engagement, HttpMethod.Post, "/api/engagements", EngagementBody(clientId, title), false, pace, cancellationToken);
                }

                first ??= engagement;
            }

            var intake = new ApiWrite("engagement transition", first!.Key) { Id = first.Id };
            var shortlisting = new ApiWrite("shortlisting requested", first.Key) { Id = first.Id };
            if (first.Id is not { } engagementId)
            {
                intake.LastFailure = shortlisting.LastFailure = "its engagement was not acknowledged";
                _writes.Enqueue(intake);
                _writes.Enqueue(shortlisting);
                continue;
            }

            await PacedAsync(intake, HttpMethod.Post, $"/api/engagements/{engagementId}/transitions", new JsonObject { ["to"] = "intake", ["reason"] = "fault suite" }, true, pace, cancellationToken);
            if (!intake.Acknowledged)
            {
                shortlisting.LastFailure = "its intake was not acknowledged";
                _writes.Enqueue(shortlisting);
                continue;
            }

            await PacedAsync(shortlisting, HttpMethod.Post, $"/api/engagements/{engagementId}/shortlisting", new JsonObject { ["reason"] = "fault suite", ["top"] = 10, ["includeCandidatesInVetting"] = true }, false, pace, cancellationToken);
        }
    }

    private async Task<ApiWrite> PacedAsync(ApiWrite write, HttpMethod method, string path, JsonObject body, bool conflictMeansApplied, TimeSpan pace, CancellationToken cancellationToken)
    {
        var next = Task.Delay(pace, cancellationToken);
        await SendAsync(write, method, path, body, conflictMeansApplied, cancellationToken);
        await next;
        return write;
    }

    private async Task<ApiWrite> SendAsync(ApiWrite write, HttpMethod method, string path, JsonObject body, bool conflictMeansApplied, CancellationToken cancellationToken)
    {
        _writes.Enqueue(write);
        if (write.IsCreate)
        {
            write.IdempotencyKey ??= Guid.NewGuid().ToString();
        }

        var ambiguous = false;
        while (write.Attempts < 30)
        {
            write.Attempts++;
            var started = Stopwatch.GetTimestamp();
            bool retry;
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
                if (write.IdempotencyKey is { } key)
                {
                    request.Headers.Add("Idempotency-Key", key);
                }

                using var response = await gateway.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    _latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    write.Acknowledged = true;
                    write.OutcomeUnknown = false;
                    if (response.StatusCode == HttpStatusCode.Created && (await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken)).TryGetProperty("id", out var id))
                    {
                        write.Id = id.GetGuid();
                    }

                    return write;
                }

                if (response.StatusCode == HttpStatusCode.Conflict && conflictMeansApplied && ambiguous)
                {
                    write.Acknowledged = true; // the earlier attempt was applied
                    write.OutcomeUnknown = false;
                    return write;
                }

                var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                write.LastFailure = $"{(int)response.StatusCode} {answer[..Math.Min(200, answer.Length)]}";
                // A 503 whose database connection broke mid-request says "outcome": "unknown": it may have been applied.
                var nothingChanged = response.StatusCode == HttpStatusCode.TooManyRequests
                    || (response.StatusCode == HttpStatusCode.ServiceUnavailable && !answer.Contains("\"outcome\":\"unknown\"", StringComparison.Ordinal));
                // With a key: a 5xx was not kept, so the retry runs (or finds the applied create and replays it); a 409
                // for the key means the first attempt is still running, and a retry soon gets its answer.
                var keyInFlight = write.IdempotencyKey is not null && response.StatusCode == HttpStatusCode.Conflict && answer.Contains("still being processed", StringComparison.Ordinal);
                retry = nothingChanged || keyInFlight || ((conflictMeansApplied || write.IdempotencyKey is not null) && (int)response.StatusCode >= 500);
                ambiguous |= !nothingChanged && !keyInFlight;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                write.LastFailure = "connection refused (the gateway is restarting)";
                retry = true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                write.LastFailure = e.Message;
                retry = conflictMeansApplied || write.IdempotencyKey is not null;
                ambiguous = true;
            }

            write.OutcomeUnknown = ambiguous;
            if (!retry)
            {
                return write;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 100 * write.Attempts)), cancellationToken);
        }

        return write;
    }

    /// <summary>The id of a candidate whose create was acknowledged only by a 409 on a retry: searched by its unique name.</summary>
    private async Task<Guid?> FindCandidateAsync(string email, CancellationToken cancellationToken)
    {
        var name = NameFor(email);
        try
        {
            var page = await gateway.GetFromJsonAsync<JsonElement>($"/api/candidates?q={Uri.EscapeDataString(name)}&pageSize=50", Json, cancellationToken);
            return page.GetProperty("items").EnumerateArray()
                .Where(c => c.GetProperty("fullName").GetString() == name)
                .Select(c => (Guid?)c.GetProperty("id").GetGuid())
                .FirstOrDefault();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>"Suite fault abc123 17" for fault-abc123-17@suite.example: unique, and searchable as free text.</summary>
    private static string NameFor(string email) => "Suite " + email.Split('@')[0].Replace('-', ' ');

    public static JsonObject CandidateBody(string email, int i) => new()
    {
        ["fullName"] = NameFor(email),
        ["email"] = email,
        ["location"] = new JsonObject { ["country"] = "SE", ["city"] = "Malmö", ["remotePossible"] = true },
        ["levels"] = new JsonArray("senior-management"),
        ["disciplines"] = new JsonArray("operations"),
        ["skills"] = new JsonArray("lean", "restructuring"),
        ["engagementTypes"] = new JsonArray("crisis"),
        ["dayRate"] = new JsonObject { ["amount"] = 1100 + i % 500, ["currency"] = "EUR" },
        ["availability"] = new JsonObject { ["availableFrom"] = "2027-01-04", ["noticeDays"] = 14 },
        ["summary"] = "Interim operations director for turnarounds.",
        ["privacy"] = new JsonObject { ["lawfulBasis"] = "consent" },
    };

    private static JsonObject EngagementBody(Guid clientId, string title) => new()
    {
        ["clientId"] = clientId,
        ["title"] = title,
        ["brief"] = new JsonObject
        {
            ["engagementType"] = "crisis",
            ["level"] = "senior-management",
            ["discipline"] = "operations",
            ["industry"] = "manufacturing",
            ["country"] = "SE",
            ["remotePossible"] = true,
            ["languages"] = new JsonArray(),
            ["mustHaveSkills"] = new JsonArray(),
            ["niceToHaveSkills"] = new JsonArray("lean"),
            ["startDate"] = "2027-02-01",
            ["durationWeeks"] = 26,
            ["daysPerWeek"] = 5,
        },
        ["situation"] = "A plant in trouble after the COO left.",
    };
}
