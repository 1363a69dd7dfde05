using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerPush;
using RabbitMQ.Client;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>
/// Malformed and hostile messages published as a partner (plain RabbitMQ.Client, as a partner would): each
/// must be answered on the partner's receipts queue, and each rejected one must also wait in the intake's
/// error queue with its reasons; a valid message carrying injection strings must become a candidate with
/// those strings as they were sent.
/// </summary>
internal sealed class PartnerFuzz(HttpClient http, FuzzTarget platform, Tally tally)
{
    private const string Partner = "globalise";
    private const string ErrorQueue = "candidates-partner-intake_error";
    private readonly Random _random = new(20261124);

    private enum Expect
    {
        /// <summary>A rejected receipt with reasons, and the message in the error queue with its reasons.</summary>
        Rejected,

        /// <summary>Accepted (a candidate) or rejected as above: both are fair answers (a byte-order mark, for one).</summary>
        Either,

        /// <summary>Accepted, and the candidate carries the strings as they were sent.</summary>
        AcceptedVerbatim,

        /// <summary>Without user_id nobody vouches for the sender, so no partner's queue gets a receipt: the error queue alone.</summary>
        ErrorQueueOnly,
    }

    private sealed record Case(string Name, byte[] Body, Expect Expect, string MessageId, bool WithUserId = true);

    public int Published { get; private set; }

    public int Passed { get; private set; }

    public int Receipts { get; private set; }

    public int InErrorQueue { get; private set; }

    public List<string> Failures { get; } = [];

    public async Task RunAsync()
    {
        var cases = Cases();
        var partner = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = platform.AmqpPort,
            UserName = Partner,
            Password = platform.PartnerPasswords[Partner],
            ClientProvidedName = "fuzz-pass (partner)",
        };
        await using var connection = await partner.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var c in cases)
        {
            var properties = new BasicProperties
            {
                ContentType = "application/json",
                DeliveryMode = DeliveryModes.Persistent,
                MessageId = c.MessageId,
                UserId = c.WithUserId ? Partner : null,
                Type = "partner-candidate/1.0",
            };
            await channel.BasicPublishAsync("partner-intake", Partner, mandatory: false, properties, c.Body);
            Published++;
        }

        // Receipts, by the message id the partner set (correlation_id).
        var receipts = new Dictionary<string, JsonElement>();
        var expected = cases.Where(c => c.Expect != Expect.ErrorQueueOnly).Select(c => c.MessageId).ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (receipts.Count < expected.Count && DateTime.UtcNow < deadline)
        {
            var delivery = await channel.BasicGetAsync($"partner-receipts.{Partner}", autoAck: true);
            if (delivery is null)
            {
                await Task.Delay(100);
                continue;
            }

            var receipt = JsonDocument.Parse(delivery.Body).RootElement.Clone();
            var id = delivery.BasicProperties.CorrelationId ?? (receipt.TryGetProperty("messageId", out var m) ? m.ToString() : null);
            if (id is not null && expected.Contains(id))
            {
                receipts[id] = receipt;
            }
        }

        Receipts = receipts.Count;
        var errors = await ErrorQueueAsync(cases.Select(c => c.MessageId).ToHashSet());
        InErrorQueue = errors.Count;
        foreach (var c in cases)
        {
            var failures = Failures.Count;
            receipts.TryGetValue(c.MessageId, out var receipt);
            var status = receipt.ValueKind == JsonValueKind.Object ? receipt.GetProperty("status").GetString() : null;
            var reasons = receipt.ValueKind == JsonValueKind.Object ? receipt.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList() : [];
            errors.TryGetValue(c.MessageId, out var errorReasons);
            var rejected = status == "rejected" || (c.Expect == Expect.ErrorQueueOnly && errorReasons is not null);
            switch (c.Expect)
            {
                case Expect.Rejected or Expect.Either when status is null:
                    Failures.Add($"{c.Name}: no receipt");
                    break;
                case Expect.Rejected when status != "rejected":
                    Failures.Add($"{c.Name}: receipt {status}, expected rejected");
                    break;
                case Expect.AcceptedVerbatim when status != "accepted":
                    Failures.Add($"{c.Name}: receipt {status ?? "missing"} ({string.Join("; ", reasons)}), expected accepted");
                    break;
                case Expect.AcceptedVerbatim:
                    await CheckVerbatimAsync(c, receipt.GetProperty("candidateId").GetGuid());
                    break;
                case Expect.ErrorQueueOnly when errorReasons is null:
                    Failures.Add($"{c.Name}: not in the error queue");
                    break;
            }

            if (rejected)
            {
                if (c.Expect != Expect.ErrorQueueOnly && (reasons.Count == 0 || reasons.Any(string.IsNullOrWhiteSpace)))
                {
                    Failures.Add($"{c.Name}: a rejected receipt without reasons");
                }

                if (string.IsNullOrWhiteSpace(errorReasons))
                {
                    Failures.Add($"{c.Name}: rejected, but {(errorReasons is null ? "not in the error queue" : "in the error queue without x-rejection-reasons")}");
                }
            }

            if (Failures.Count == failures)
            {
                Passed++;
                var shown = errorReasons ?? string.Join(" | ", reasons);
                Console.WriteLine($"  {c.Name,-28} {(c.Expect == Expect.ErrorQueueOnly ? "error queue" : status),-9} {(shown.Length > 110 ? shown[..110] + "…" : shown)}");
            }
        }
    }

    private List<Case> Cases()
    {
        var now = DateTimeOffset.UtcNow;
        var index = 9_000_000;
        JsonObject Valid() => SampleCandidates.Upsert(Partner, index++, now);
        var cases = new List<Case>();
        void Add(string name, Expect expect, Func<JsonObject, JsonNode?>? change = null, bool withUserId = true)
        {
            var message = Valid();
            var id = NextGuid();
            message["messageId"] = id;
            var body = change is null ? message : change(message);
            cases.Add(new Case(name, Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null"), expect, id, withUserId));
        }

        void AddRaw(string name, Expect expect, byte[] body) => cases.Add(new Case(name, body, expect, NextGuid()));
        JsonObject Candidate(JsonObject m) => m["candidate"]!.AsObject();

        AddRaw("not-json", Expect.Rejected, "this is not JSON"u8.ToArray());
        AddRaw("empty-body", Expect.Rejected, []);
        var binary = new byte[256];
        _random.NextBytes(binary);
        binary[0] = 0xFF;
        AddRaw("binary", Expect.Rejected, binary);
        AddRaw("json-null", Expect.Rejected, "null"u8.ToArray());
        AddRaw("json-array", Expect.Rejected, "[]"u8.ToArray());
        AddRaw("json-string", Expect.Rejected, "\"upsert\""u8.ToArray());
        var valid = Encoding.UTF8.GetBytes(Valid().ToJsonString());
        AddRaw("truncated", Expect.Rejected, valid[..(valid.Length / 2)]);
        AddRaw("trailing-garbage", Expect.Rejected, [.. valid, .. "}garbage"u8]);
        Add("schema-version-2.0", Expect.Rejected, m => { m["schemaVersion"] = "2.0"; return m; });
        Add("schema-version-missing", Expect.Rejected, m => { m.Remove("schemaVersion"); return m; });
        Add("schema-version-number", Expect.Rejected, m => { m["schemaVersion"] = 1.0; return m; });
        Add("message-id-missing", Expect.Rejected, m => { m.Remove("messageId"); return m; });
        Add("message-id-not-uuid", Expect.Rejected, m => { m["messageId"] = "not-a-uuid"; return m; });
        Add("sent-at-missing", Expect.Rejected, m => { m.Remove("sentAt"); return m; });
        Add("sent-at-invalid", Expect.Rejected, m => { m["sentAt"] = "yesterday"; return m; });
        Add("kind-unknown", Expect.Rejected, m => { m["kind"] = "delete"; return m; });
        Add("candidate-missing", Expect.Rejected, m => { m.Remove("candidate"); return m; });
        Add("candidate-not-object", Expect.Rejected, m => { m["candidate"] = "Ingrid"; return m; });
        Add("person-id-missing", Expect.Rejected, m => { Candidate(m).Remove("partnerPersonId"); return m; });
        Add("person-id-too-long", Expect.Rejected, m => { Candidate(m)["partnerPersonId"] = Hostile.Huge(300); return m; });
        Add("full-name-missing", Expect.Rejected, m => { Candidate(m).Remove("fullName"); return m; });
        Add("full-name-number", Expect.Rejected, m => { Candidate(m)["fullName"] = 42; return m; });
        Add("country-invalid", Expect.Rejected, m => { Candidate(m)["location"]!["country"] = "Sweden"; return m; });
        Add("email-invalid", Expect.Rejected, m => { Candidate(m)["email"] = "not-an-address"; return m; });
        Add("levels-unknown", Expect.Rejected, m => { Candidate(m)["levels"] = new JsonArray("emperor"); return m; });
        Add("levels-not-array", Expect.Rejected, m => { Candidate(m)["levels"] = "executive"; return m; });
        Add("day-rate-negative", Expect.Rejected, m => { Candidate(m)["dayRate"]!["amount"] = -100; return m; });
        Add("day-rate-string", Expect.Rejected, m => { Candidate(m)["dayRate"]!["amount"] = "a lot"; return m; });
        Add("months-overflow", Expect.Rejected, m => { Candidate(m)["trackRecord"]![0]!["months"] = JsonNode.Parse("2147483648"); return m; });
        Add("null-language-entry", Expect.Rejected, m => { Candidate(m)["languages"] = new JsonArray((JsonNode?)null); return m; });
        Add("null-track-record-entry", Expect.Rejected, m => { Candidate(m)["trackRecord"] = new JsonArray((JsonNode?)null); return m; });
        Add("null-skill-entry", Expect.Rejected, m => { Candidate(m)["skills"] = new JsonArray((JsonNode?)null); return m; });
        Add("sent-at-out-of-range", Expect.Rejected, m => { m["sentAt"] = "0001-01-01T00:00:00+14:00"; return m; });
        Add("lawful-basis-missing", Expect.Rejected, m => { Candidate(m).Remove("lawfulBasis"); return m; });
        Add("recorded-on-max-date", Expect.Rejected, m => { Candidate(m)["lawfulBasis"]!["recordedOn"] = "9999-12-31"; return m; });
        Add("too-large", Expect.Rejected, m => { Candidate(m)["summary"] = Hostile.Huge(300_000); return m; });
        Add("huge-array", Expect.Rejected, m => { Candidate(m)["skills"] = new JsonArray([.. Enumerable.Repeat(0, 20_000).Select(_ => JsonValue.Create("a"))]); return m; });
        AddRaw("deeply-nested", Expect.Rejected, Encoding.UTF8.GetBytes(Valid().ToJsonString()[..^1] + ",\"extra\":" + string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)) + "}"));
        Add("wrong-partner-in-envelope", Expect.Rejected, m => { m["partnerId"] = "nordic-interim"; return m; });
        Add("no-user-id", Expect.ErrorQueueOnly, withUserId: false);
        Add("nul-in-name", Expect.Rejected, m => { Candidate(m)["fullName"] = "Ingrid\u0000Solberg"; return m; });
        cases.Add(RawString("lone-surrogate-in-name", "\"Ingrid \\ud800 Solberg\""));
        cases.Add(RawString("reversed-surrogates-in-name", "\"Ingrid \\udc00\\ud800\""));
        var invalidUtf8 = Valid();
        var invalidId = NextGuid();
        invalidUtf8["messageId"] = invalidId;
        Candidate(invalidUtf8)["fullName"] = "@@name@@";
        var text = Encoding.UTF8.GetBytes(invalidUtf8.ToJsonString());
        var at = text.AsSpan().IndexOf("@@name@@"u8);
        cases.Add(new Case("invalid-utf8-in-name", [.. text[..at], 0xC3, 0x28, 0xFF, .. text[(at + 8)..]], Expect.Rejected, invalidId));
        var bom = Valid();
        var bomId = NextGuid();
        bom["messageId"] = bomId;
        cases.Add(new Case("bom-prefix", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(bom.ToJsonString())], Expect.Either, bomId));
        Add("extra-unknown-fields", Expect.Either, m => { m["unexpected"] = new JsonObject { ["a"] = 1 }; Candidate(m)["shoeSize"] = 44; return m; });
        for (var i = 0; i < Hostile.All.Length; i += 3)
        {
            var (name, summary, city) = (Hostile.All[i], Hostile.All[(i + 1) % Hostile.All.Length], Hostile.All[(i + 2) % Hostile.All.Length]);
            Add($"injection-verbatim-{i / 3 + 1}", Expect.AcceptedVerbatim, m =>
            {
                Candidate(m)["fullName"] = name;
                Candidate(m)["summary"] = summary;
                Candidate(m)["location"]!["city"] = city;
                Candidate(m)["trackRecord"]![0]!["role"] = name;
                return m;
            });
        }

        return cases;

        Case RawString(string name, string rawJsonString)
        {
            var message = Valid();
            var id = NextGuid();
            message["messageId"] = id;
            Candidate(message)["fullName"] = "@@name@@";
            return new Case(name, Encoding.UTF8.GetBytes(message.ToJsonString().Replace("\"@@name@@\"", rawJsonString, StringComparison.Ordinal)), Expect.Rejected, id);
        }
    }

    private async Task CheckVerbatimAsync(Case c, Guid candidateId)
    {
        var sent = JsonNode.Parse(c.Body)!["candidate"]!;
        using var message = new HttpRequestMessage(HttpMethod.Get, $"/api/candidates/{candidateId}");
        message.Headers.Add("X-Api-Key", platform.Key("recruiter"));
        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        tally.Record("GET", $"/api/candidates/{candidateId}", "partner-verbatim-read", response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (!response.IsSuccessStatusCode)
        {
            Failures.Add($"{c.Name}: the accepted candidate answered {(int)response.StatusCode}");
            return;
        }

        var stored = JsonDocument.Parse(body).RootElement;
        foreach (var (field, expected, actual) in new[]
        {
            ("fullName", sent["fullName"]!.GetValue<string>(), stored.GetProperty("fullName").GetString()),
            ("summary", sent["summary"]!.GetValue<string>(), stored.GetProperty("summary").GetString()),
            ("location.city", sent["location"]!["city"]!.GetValue<string>(), stored.GetProperty("location").GetProperty("city").GetString()),
            ("trackRecord[0].role", sent["trackRecord"]![0]!["role"]!.GetValue<string>(), stored.GetProperty("trackRecord")[0].GetProperty("role").GetString()),
        })
        {
            if (!Encoding.UTF8.GetBytes(expected).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(actual ?? "")))
            {
                Failures.Add($"{c.Name}: {field} sent {JsonSerializer.Serialize(expected)}, stored {JsonSerializer.Serialize(actual)}");
            }
        }
    }

    /// <summary>The reasons recorded for each of our messages in the intake's error queue; the queue is left as it was.</summary>
    private async Task<Dictionary<string, string?>> ErrorQueueAsync(HashSet<string> ours)
    {
        var admin = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = platform.AmqpPort,
            UserName = platform.MessagingUser,
            Password = platform.MessagingPassword,
        };
        await using var connection = await admin.CreateConnectionAsync();
        var found = new Dictionary<string, string?>();
        await using (var channel = await connection.CreateChannelAsync())
        {
            while (await channel.BasicGetAsync(ErrorQueue, autoAck: false) is { } delivery)
            {
                if (delivery.BasicProperties.MessageId is { } id && ours.Contains(id))
                {
                    found[id] = delivery.BasicProperties.Headers?.TryGetValue("x-rejection-reasons", out var reasons) == true && reasons is byte[] bytes
                        ? Encoding.UTF8.GetString(bytes)
                        : null;
                }
            }

            // Closing the channel without acknowledging puts every message back, in order.
        }

        return found;
    }

    private string NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
