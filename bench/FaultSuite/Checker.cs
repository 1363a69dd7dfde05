using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>One row of the result table: sent, acknowledged, lost, duplicated.</summary>
internal sealed record Tally(string What, int Sent, int Acknowledged, int Lost, int Duplicated, string? Note = null);

/// <summary>
/// After the platform settles, counts by id what survived: every acknowledged write stored exactly once,
/// every valid partner message a candidate exactly once, Matching (database and each replica's index) and
/// Engagements in agreement with Candidates, no message stranded, the error queues holding exactly the
/// malformed messages.
/// </summary>
internal sealed class Checker(Func<string, NpgsqlDataSource> database, HttpClient management, HttpClient gateway, IReadOnlyList<HttpClient> matchingReplicas)
{
    private const string IntakeErrorQueue = "candidates-partner-intake_error";
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public List<string> Problems { get; } = [];

    /// <summary>
    /// Waits until nothing is in flight: every outbox sent, no work queue holding a message, every partner person
    /// stored, twice in a row at least 6 s apart (the broker's queue statistics refresh every 5 s, and a consumer
    /// may hold a message it has not committed yet); false on timeout.
    /// </summary>
    public async Task<bool> SettleAsync(int partnerPeople, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var quietSince = (DateTime?)null;
        while (DateTime.UtcNow < deadline)
        {
            if (await QuietAsync(partnerPeople, cancellationToken))
            {
                quietSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - quietSince >= TimeSpan.FromSeconds(6))
                {
                    return true;
                }
            }
            else
            {
                quietSince = null;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return false;
    }

    private async Task<bool> QuietAsync(int partnerPeople, CancellationToken cancellationToken)
    {
        foreach (var db in new[] { "candidates", "engagements", "matching" })
        {
            if (await ScalarAsync(db, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL", cancellationToken) > 0)
            {
                return false;
            }
        }

        var queued = (await QueuesAsync(cancellationToken)).Where(q => !q.Name.EndsWith("_error", StringComparison.Ordinal) && !q.Name.StartsWith("partner-receipts.", StringComparison.Ordinal)).Sum(q => q.Messages);
        return queued == 0 && await ScalarAsync("candidates", "SELECT count(*) FROM candidates WHERE partner_id IS NOT NULL", cancellationToken) >= partnerPeople;
    }

    public async Task<List<Tally>> CountAsync(IReadOnlyCollection<ApiWrite> writes, PartnerFeedResult feed, CancellationToken cancellationToken)
    {
        var tallies = new List<Tally>();

        // Candidates created through the API: by their unique e-mail.
        var created = writes.Where(w => w.Kind == "candidate created").ToList();
        var byEmail = await CountByAsync("candidates", "SELECT email, count(*) FROM candidates WHERE email = ANY(@keys) GROUP BY email", created.Select(w => w.Key), cancellationToken);
        tallies.Add(Tally("candidate created", created, w => byEmail.GetValueOrDefault(w.Key)));

        // Vetting transitions: one 'screened' event per acknowledged transition.
        var screened = writes.Where(w => w.Kind == "vetting transition").ToList();
        var byCandidate = await CountByAsync("candidates", """SELECT candidate_id::text, count(*) FROM vetting_events WHERE "to" = 'screened' AND candidate_id = ANY(@keys::uuid[]) GROUP BY candidate_id""", screened.Where(w => w.Id is not null).Select(w => w.Id!.Value.ToString()), cancellationToken);
        tallies.Add(Tally("vetting transition", screened, w => w.Id is { } id ? byCandidate.GetValueOrDefault(id.ToString()) : 0));

        var clients = writes.Where(w => w.Kind == "client created").ToList();
        var byName = await CountByAsync("engagements", "SELECT name, count(*) FROM clients WHERE name = ANY(@keys) GROUP BY name", clients.Select(w => w.Key), cancellationToken);
        tallies.Add(Tally("client created", clients, w => byName.GetValueOrDefault(w.Key)));

        var engagements = writes.Where(w => w.Kind == "engagement created").ToList();
        var byTitle = await CountByAsync("engagements", "SELECT title, count(*) FROM engagements WHERE title = ANY(@keys) GROUP BY title", engagements.Select(w => w.Key), cancellationToken);
        tallies.Add(Tally("engagement created", engagements, w => byTitle.GetValueOrDefault(w.Key)));

        // Transitions and shortlisting: the engagement is past draft; a shortlist came back from Matching and
        // names only candidates Candidates holds (Engagements' view agrees with Candidates).
        var states = await StatesAsync(writes.Where(w => w.Kind is "engagement transition" or "shortlisting requested" && w.Id is not null).Select(w => w.Id!.Value).Distinct(), cancellationToken);
        var intakes = writes.Where(w => w.Kind == "engagement transition").ToList();
        tallies.Add(Tally("engagement transition", intakes, w => w.Id is { } id && states.TryGetValue(id, out var s) && s.State != "draft" ? 1 : 0));
        var shortlistings = writes.Where(w => w.Kind == "shortlisting requested").ToList();
        var shortlisted = shortlistings.Where(w => w.Acknowledged && w.Id is { } id && states.TryGetValue(id, out var s) && s.State == "shortlist-ready").ToList();
        var named = states.Values.SelectMany(s => s.ShortlistedCandidates).Distinct().ToList();
        var unknown = named.Count - (int)await CountAsync("candidates", "SELECT count(*) FROM candidates WHERE id = ANY(@keys::uuid[])", named.Select(id => id.ToString()), cancellationToken);
        tallies.Add(Tally("shortlisting requested", shortlistings, w => w.Id is { } id && states.TryGetValue(id, out var s) && s.State == "shortlist-ready" ? 1 : 0,
            $"{shortlisted.Sum(w => states[w.Id!.Value].ShortlistedCandidates.Count)} shortlist places, {unknown} naming a candidate Candidates does not hold"));
        if (unknown != 0)
        {
            Problems.Add($"{unknown} shortlisted candidate id(s) unknown to Candidates");
        }

        // Partner messages: every valid person exactly once; none of the malformed ones.
        var byPerson = await CountByAsync("candidates", "SELECT partner_person_id, count(*) FROM candidates WHERE partner_person_id = ANY(@keys) GROUP BY partner_person_id", feed.PersonIds, cancellationToken);
        var partnerLost = feed.PersonIds.Count(p => byPerson.GetValueOrDefault(p) == 0);
        var partnerDuplicated = feed.PersonIds.Count(p => byPerson.GetValueOrDefault(p) > 1);
        var strays = await CountAsync("candidates", "SELECT count(*) FROM candidates WHERE partner_person_id = ANY(@keys)", feed.MalformedPersonIds, cancellationToken);
        tallies.Add(new Tally("partner message (valid)", feed.Valid + feed.DeliberateDuplicates, feed.Valid, partnerLost, partnerDuplicated,
            $"{feed.DeliberateDuplicates} sent twice on purpose, {feed.Resent} resent after unconfirmed publishes, {feed.Reconnects} reconnects"));
        if (strays != 0)
        {
            Problems.Add($"{strays} candidate(s) stored from malformed partner messages");
        }

        await CheckMatchingAsync(cancellationToken);
        await CheckQueuesAsync(feed.MalformedIds, tallies, cancellationToken);
        return tallies;
    }

    /// <summary>Matching's pool has exactly Candidates' candidates with the same vetting status, and each replica's index holds all of them.</summary>
    private async Task CheckMatchingAsync(CancellationToken cancellationToken)
    {
        var candidates = await PairsAsync("candidates", "SELECT id::text, vetting_status FROM candidates", cancellationToken);
        var pool = await PairsAsync("matching", "SELECT candidate_id::text, vetting_status FROM pool_candidates WHERE NOT erased AND profile IS NOT NULL", cancellationToken);
        var missing = candidates.Keys.Count(id => !pool.ContainsKey(id));
        var extra = pool.Keys.Count(id => !candidates.ContainsKey(id));
        var differing = candidates.Count(c => pool.TryGetValue(c.Key, out var status) && status != c.Value);
        Console.WriteLine($"Matching's pool: {pool.Count:N0} candidates; Candidates: {candidates.Count:N0}; missing {missing}, extra {extra}, vetting status differing {differing}");
        if (missing + extra + differing != 0)
        {
            Problems.Add($"Matching's pool disagrees with Candidates: {missing} missing, {extra} extra, {differing} with another vetting status");
        }

        // By count and by an order-independent digest of the ids (the same algorithm as IndexView.Digest), so a
        // replica missing one candidate and holding a stale one in its place is caught.
        var expected = Digest(pool.Keys.Select(Guid.Parse));
        for (var i = 0; i < matchingReplicas.Count; i++)
        {
            var index = await ReadAsync(matchingReplicas[i], "/api/matching/index", cancellationToken);
            var count = index.GetProperty("candidates").GetInt32();
            var digest = index.GetProperty("idsDigest").GetString();
            Console.WriteLine($"Matching replica {i + 1}: index holds {count:N0}, ids digest {digest} (pool {expected})");
            if (count != pool.Count || digest != expected)
            {
                Problems.Add($"Matching replica {i + 1}'s index holds {count} candidates (digest {digest}), its database {pool.Count} (digest {expected})");
            }
        }
    }

    private async Task CheckQueuesAsync(IReadOnlyList<string> malformedIds, List<Tally> tallies, CancellationToken cancellationToken)
    {
        var queues = await QueuesAsync(cancellationToken);
        foreach (var queue in queues.Where(q => q.Messages > 0 && q.Name != IntakeErrorQueue && !q.Name.StartsWith("partner-receipts.", StringComparison.Ordinal)))
        {
            var reasons = (await PeekAsync(queue.Name, cancellationToken)).Select(m => m.Reason).Distinct();
            Problems.Add($"queue {queue.Name} holds {queue.Messages} message(s), expected none: {string.Join(" / ", reasons)}");
        }

        // The intake error queue: by message id, exactly the malformed messages, each with a reason.
        var copies = await PeekAsync(IntakeErrorQueue, cancellationToken);
        var byId = copies.GroupBy(c => c.Id ?? "").ToDictionary(g => g.Key, g => g.Count());
        var missing = malformedIds.Count(id => !byId.ContainsKey(id));
        var unexpected = byId.Keys.Count(id => !malformedIds.Contains(id));
        var repeated = byId.Values.Sum(n => n - 1);
        var withoutReason = copies.Count(c => string.IsNullOrWhiteSpace(c.Reason));
        tallies.Add(new Tally("partner message (malformed)", malformedIds.Count, malformedIds.Count - missing, missing, repeated,
            $"acknowledged = in the error queue with a reason; {unexpected} other message(s) there, {withoutReason} without a reason"));
        if (unexpected + withoutReason != 0)
        {
            var reasons = copies.Where(c => !malformedIds.Contains(c.Id ?? "")).Select(c => c.Reason).Distinct();
            Problems.Add($"the partner intake error queue holds {unexpected} message(s) that were not malformed and {withoutReason} without a reason: {string.Join(" / ", reasons)}");
        }
    }

    /// <summary>A queue's messages, read without taking them: id and failure reason (ours, or MassTransit's fault header).</summary>
    private async Task<List<(string? Id, string? Reason)>> PeekAsync(string queue, CancellationToken cancellationToken)
    {
        using var response = await management.PostAsJsonAsync($"api/queues/%2F/{queue}/get", new { count = 100_000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 1_000 }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken)).EnumerateArray()
            .Select(m => m.GetProperty("properties"))
            .Select(p => (
                p.TryGetProperty("message_id", out var id) ? id.GetString() : null,
                p.TryGetProperty("headers", out var headers)
                    ? (headers.TryGetProperty("x-rejection-reasons", out var reason) ? reason.GetString() : headers.TryGetProperty("MT-Fault-Message", out var fault) ? fault.GetString() : null)
                    : null))];
    }

    private static string Digest(IEnumerable<Guid> ids)
    {
        var sum = 0UL;
        var bytes = new byte[16];
        foreach (var id in ids)
        {
            id.TryWriteBytes(bytes);
            sum += unchecked((BitConverter.ToUInt64(bytes, 0) * 0x9E3779B97F4A7C15UL) ^ BitConverter.ToUInt64(bytes, 8));
        }

        return sum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Tally Tally(string what, IReadOnlyCollection<ApiWrite> writes, Func<ApiWrite, long> stored, string? note = null)
    {
        var acknowledged = writes.Where(w => w.Acknowledged).ToList();
        return new Tally(what, writes.Count, acknowledged.Count,
            acknowledged.Count(w => stored(w) == 0),
            writes.Count(w => stored(w) > 1),
            note ?? (writes.Count == acknowledged.Count ? null : $"{writes.Count - acknowledged.Count} not acknowledged ({writes.Count(w => !w.Acknowledged && stored(w) == 1)} of them stored): {writes.FirstOrDefault(w => !w.Acknowledged)?.LastFailure}"));
    }

    private async Task<Dictionary<Guid, (string State, List<Guid> ShortlistedCandidates)>> StatesAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var states = new Dictionary<Guid, (string, List<Guid>)>();
        foreach (var id in ids)
        {
            var engagement = await ReadAsync(gateway, $"/api/engagements/{id}", cancellationToken);
            var shortlisted = engagement.TryGetProperty("shortlist", out var shortlist) && shortlist.ValueKind == JsonValueKind.Object
                ? shortlist.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("candidateId").GetGuid()).ToList()
                : [];
            states[id] = (engagement.GetProperty("state").GetString()!, shortlisted);
        }

        return states;
    }

    /// <summary>A read, retried while the answer is a 5xx (a read is always safe to repeat); the last failure is reported.</summary>
    private async Task<JsonElement> ReadAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.GetAsync(path, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
            }

            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode < 500 || attempt == 30)
            {
                throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {answer}");
            }

            Console.WriteLine($"GET {path}: {(int)response.StatusCode} {answer[..Math.Min(300, answer.Length)]}; retrying");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task<IReadOnlyList<(string Name, long Messages)>> QueuesAsync(CancellationToken cancellationToken)
    {
        var queues = await management.GetFromJsonAsync<JsonElement>("api/queues?columns=name,messages", Json, cancellationToken);
        return [.. queues.EnumerateArray().Select(q => (q.GetProperty("name").GetString()!, q.TryGetProperty("messages", out var m) ? m.GetInt64() : 0))];
    }

    private async Task<long> ScalarAsync(string db, string sql, CancellationToken cancellationToken)
    {
        await using var command = database(db).CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    private async Task<long> CountAsync(string db, string sql, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var command = database(db).CreateCommand(sql);
        command.Parameters.AddWithValue("keys", keys.ToArray());
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    private async Task<Dictionary<string, long>> CountByAsync(string db, string sql, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var command = database(db).CreateCommand(sql);
        command.Parameters.AddWithValue("keys", keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private async Task<Dictionary<string, string?>> PairsAsync(string db, string sql, CancellationToken cancellationToken)
    {
        await using var command = database(db).CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pairs = new Dictionary<string, string?>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return pairs;
    }
}
