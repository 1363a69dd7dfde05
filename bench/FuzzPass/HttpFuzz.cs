using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>One request of the fuzz pass. <paramref name="Body"/> is sent as is: it may be anything but JSON.</summary>
internal sealed record FuzzRequest(string Case, string Method, string Target, byte[]? Body, string? ContentType, string? Role);

/// <summary>What the cases need to exist for the valid parts of a request to be valid: real ids for the path and the body.</summary>
internal sealed class Fixtures
{
    public Guid Candidate { get; set; }

    public Guid ErasableCandidate { get; set; }

    public Guid Client { get; set; }

    public Guid Contact { get; set; }

    public Guid Engagement { get; set; }

    public Guid Shortlist { get; set; }

    public string Key { get; set; } = "";

    public Dictionary<string, string> Queues { get; } = [];
}

/// <summary>
/// Walks every operation of the gateway's OpenAPI documents and sends, per operation, a valid example with
/// one thing wrong at a time: the JSON itself, each field's type, presence and size, hostile strings in
/// every string field and query parameter, and invalid ids in the path.
/// </summary>
internal sealed class HttpFuzz(HttpClient http, FuzzTarget platform, Tally tally)
{
    private const string EmailMarker = "fuzz-base@example.com";
    private const int HugeString = 1_000_000;
    private const int HugeArray = 100_000;
    private static readonly string[] RoleOrder = ["recruiter", "privacy-officer", "ops", "admin"];
    private readonly Random _random = new(20261123);
    private readonly Fixtures _fixtures = new();
    private int _rotation;
    private int _emails;

    public int Operations { get; private set; }

    public Dictionary<string, int> CasesByKind { get; } = [];

    public async Task RunAsync(IReadOnlyList<Operation> operations)
    {
        await CreateFixturesAsync();
        foreach (var operation in operations)
        {
            Operations++;
            var role = await RoleForAsync(operation);
            foreach (var request in Cases(operation, role))
            {
                var kind = request.Case.Split(':')[0];
                CasesByKind[kind] = CasesByKind.GetValueOrDefault(kind) + 1;
                await SendAsync(request, ifMatch: operation.Method == "PUT" ? await ETagAsync(operation, role) : null);
            }
        }
    }

    private IEnumerable<FuzzRequest> Cases(Operation operation, string? role)
    {
        var path = FillPath(operation, null);
        yield return new FuzzRequest("no-credentials", operation.Method, path, BaseBody(operation), BaseBody(operation) is null ? null : "application/json", null);
        if (role is null)
        {
            yield break;
        }

        FuzzRequest Request(string name, string target, byte[]? body, string? contentType = "application/json") =>
            new(name, operation.Method, target, body, body is null ? null : contentType, role);

        var baseBody = BaseBody(operation);
        yield return Request("valid-example", path, baseBody);

        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
        {
            foreach (var (name, value) in InvalidIds())
            {
                yield return Request($"path:{parameter.Name}:{name}", FillPath(operation, new() { [parameter.Name] = value }), baseBody);
            }
        }

        var query = operation.Parameters.Where(p => p.In == "query").ToList();
        foreach (var parameter in query)
        {
            foreach (var (name, value) in QueryValues(parameter))
            {
                var repeats = name == "repeated-200" ? 200 : 1;
                var encoded = string.Join('&', Enumerable.Repeat($"{Uri.EscapeDataString(parameter.Name)}={value}", repeats));
                yield return Request($"query:{parameter.Name}:{name}", $"{path}?{encoded}", baseBody);
            }
        }

        // Paging at its extremes together: the largest page at the farthest offset.
        foreach (var (first, second) in new[] { ("skip", "take"), ("page", "pageSize") })
        {
            if (query.Any(p => p.Name.Equals(first, StringComparison.OrdinalIgnoreCase)) && query.Any(p => p.Name.Equals(second, StringComparison.OrdinalIgnoreCase)))
            {
                yield return Request($"query:{first}+{second}:max", $"{path}?{first}=2147483647&{second}=2147483647", baseBody);
                yield return Request($"query:{first}+{second}:negative", $"{path}?{first}=-2147483648&{second}=-1", baseBody);
            }
        }

        if (operation.BodySchema is not { } schema || baseBody is null)
        {
            yield break;
        }

        foreach (var (name, body, contentType) in MalformedBodies(baseBody))
        {
            yield return Request($"malformed:{name}", path, body, contentType);
        }

        var example = BaseNode(operation)!;
        foreach (var field in Fields(operation.Schemas, example, schema, [], 0))
        {
            foreach (var (name, mutated) in Mutations(field, example))
            {
                yield return Request($"{name}:{field.Name}", path, Serialize(mutated));
            }
        }

        var extra = example.DeepClone();
        if (extra is JsonObject extraObject)
        {
            extraObject["unexpectedField"] = "not in the schema";
            extraObject["__proto__"] = new JsonObject { ["isAdmin"] = true };
            yield return Request("extra-fields:(root)", path, Serialize(extra));
        }

        yield return Request("empty-object:(root)", path, "{}"u8.ToArray());
        yield return Request("over-size-limit:(root)", path, Encoding.UTF8.GetBytes($"{{\"x\":\"{Hostile.Huge(1_100_000)}\"}}"));
    }

    // ---- ids, queries and bodies ----

    private IEnumerable<(string Name, string Value)> InvalidIds() =>
    [
        ("not-a-guid", "not-a-guid"),
        ("empty", ""),
        ("very-long", Hostile.Huge(4000)),
        ("dot-dot", "../../api/gateway/keys"),
        ("encoded-dot-dot", "%2e%2e%2f%2e%2e%2fapi%2fgateway%2fkeys"),
        ("percent-junk", "%ff%fe%c0%af"),
        ("encoded-nul", "a%00b"),
        ("bad-escape", "%zz"),
        ("negative", "-1"),
        ("zero", "0"),
        ("int-overflow", "99999999999999999999"),
        ("empty-guid", Guid.Empty.ToString()),
        ("unknown-guid", NextGuid().ToString()),
        ("braced-guid", "{" + NextGuid() + "}"),
        ("sql", Uri.EscapeDataString(Pick(Hostile.Sql))),
        ("script", Uri.EscapeDataString(Pick(Hostile.Script))),
        ("unicode", Uri.EscapeDataString(Pick(Hostile.ValidUnicode))),
    ];

    private IEnumerable<(string Name, string Value)> QueryValues(Parameter parameter)
    {
        var values = new List<(string, string)>
        {
            ("sql", Uri.EscapeDataString(Pick(Hostile.Sql))),
            ("script", Uri.EscapeDataString(Pick(Hostile.Script))),
            ("unicode", Uri.EscapeDataString(Pick(Hostile.ValidUnicode))),
            ("nul", "%00"),
            ("invalid-utf8", "%ff%fe"),
            ("huge-4000", Hostile.Huge(4000)),
            ("empty", ""),
        };
        values.AddRange((parameter.Type, parameter.Format) switch
        {
            ("integer", _) => [("not-a-number", "abc"), ("fraction", "1.5"), ("negative", "-1"), ("zero", "0"), ("int-max", "2147483647"), ("int-overflow", "2147483648"), ("int-underflow", "-2147483649"), ("huge", "99999999999999999999")],
            ("number", _) => [("not-a-number", "abc"), ("negative", "-1"), ("nan", "NaN"), ("infinity", "Infinity"), ("exponent-overflow", "1e400"), ("decimal-overflow", "79228162514264337593543950336")],
            ("boolean", _) => [("not-a-boolean", "maybe"), ("number", "2")],
            ("string", "date") => [("not-a-date", "not-a-date"), ("max-date", "9999-12-31"), ("min-date", "0001-01-01"), ("impossible-date", "2027-13-45")],
            ("string", "date-time") => [("not-a-date", "yesterday"), ("max-date", "9999-12-31T23:59:59Z"), ("min-date", "0001-01-01T00:00:00%2B14:00")],
            ("string", "uuid") => [("not-a-guid", "not-a-guid"), ("empty-guid", Guid.Empty.ToString())],
            _ => [],
        });
        if (parameter.IsArray)
        {
            values.Add(("repeated-200", "x"));
        }

        return values;
    }

    private static IEnumerable<(string Name, byte[] Body, string? ContentType)> MalformedBodies(byte[] valid)
    {
        var text = Encoding.UTF8.GetString(valid);
        yield return ("truncated", Encoding.UTF8.GetBytes(text[..(text.Length / 2)]), "application/json");
        yield return ("trailing-garbage", Encoding.UTF8.GetBytes(text + "}]garbage"), "application/json");
        yield return ("not-json", "this is not JSON"u8.ToArray(), "application/json");
        yield return ("wrong-content-type", valid, "text/plain");
        yield return ("form-content-type", "a=1&b=2"u8.ToArray(), "application/x-www-form-urlencoded");
        yield return ("no-content-type", valid, null);
        yield return ("empty-body", [], "application/json");
        yield return ("json-null", "null"u8.ToArray(), "application/json");
        yield return ("json-array", "[]"u8.ToArray(), "application/json");
        yield return ("json-string", "\"text\""u8.ToArray(), "application/json");
        yield return ("json-number", "42"u8.ToArray(), "application/json");
        yield return ("single-quotes", Encoding.UTF8.GetBytes(text.Replace('"', '\'')), "application/json");
        yield return ("comments", Encoding.UTF8.GetBytes("/* comment */" + text), "application/json");
        yield return ("bom-prefix", [0xEF, 0xBB, 0xBF, .. valid], "application/json");
        yield return ("utf16-body", Encoding.Unicode.GetBytes(text), "application/json; charset=utf-16");
        yield return ("invalid-utf8", [.. "{\"x\":\""u8, 0xFF, 0xFE, 0xC0, 0xAF, .. "\"}"u8], "application/json");
        yield return ("deep-nesting", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":[", 500)) + string.Concat(Enumerable.Repeat("]}", 500))), "application/json");
        yield return ("duplicate-keys", Encoding.UTF8.GetBytes(text.Length > 2 ? text[..^1] + "," + text[1..] : text), "application/json");
    }

    /// <summary>A field of the example body, with its schema and the path that reaches it.</summary>
    private sealed record Field(IReadOnlyList<object> Path, JsonElement Schema, string Type, string? Format)
    {
        public string Name => string.Concat(Path.Select((p, i) => p is int n ? $"[{n}]" : (i == 0 ? "" : ".") + p));
    }

    private static IEnumerable<Field> Fields(Schemas schemas, JsonNode? node, JsonElement schema, List<object> path, int depth)
    {
        schema = schemas.Resolve(schema);
        var type = Schemas.TypeOf(schema);
        if (path.Count > 0)
        {
            yield return new Field([.. path], schema, type, Schemas.FormatOf(schema));
        }

        if (depth > 5)
        {
            yield break;
        }

        if (type == "object" && node is JsonObject obj)
        {
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    foreach (var field in Fields(schemas, obj[property.Name], property.Value, [.. path, property.Name], depth + 1))
                    {
                        yield return field;
                    }
                }
            }
            else if (schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object && obj.FirstOrDefault() is { Key: { } key } entry)
            {
                foreach (var field in Fields(schemas, entry.Value, values, [.. path, key], depth + 1))
                {
                    yield return field;
                }
            }
        }
        else if (type == "array" && node is JsonArray { Count: > 0 } array && schema.TryGetProperty("items", out var items))
        {
            foreach (var field in Fields(schemas, array[0], items, [.. path, 0], depth + 1))
            {
                yield return field;
            }
        }
    }

    private IEnumerable<(string Name, JsonNode Body)> Mutations(Field field, JsonNode example)
    {
        JsonNode With(JsonNode? value) => Set(example, field.Path, value, remove: false);
        var last = field.Path[^1];
        if (last is string)
        {
            yield return ("missing", Set(example, field.Path, null, remove: true));
        }

        yield return ("null", With(null));
        switch (field.Type)
        {
            case "string":
                yield return ("wrong-type-number", With(12345));
                yield return ("wrong-type-object", With(new JsonObject { ["a"] = 1 }));
                yield return ("wrong-type-array", With(new JsonArray("a")));
                yield return ("empty-string", With(""));
                yield return ("whitespace", With(" \t\n "));
                yield return ("huge-string-1mb", With(Hostile.Huge(HugeString)));
                yield return ("sql", With(Pick(Hostile.Sql)));
                yield return ("script", With(Pick(Hostile.Script)));
                yield return ("unicode", With(Pick(Hostile.ValidUnicode)));
                yield return ("invalid-unicode", With(RawPlaceholder(_rotation++ % Hostile.InvalidUnicodeJson.Length)));
                foreach (var (name, value) in field.Format switch
                {
                    "date" => new[] { ("not-a-date", "31/12/2027"), ("max-date", "9999-12-31"), ("min-date", "0001-01-01"), ("impossible-date", "2027-02-30") },
                    "date-time" => [("not-a-date", "yesterday"), ("max-date", "9999-12-31T23:59:59+00:00"), ("min-date", "0001-01-01T00:00:00+14:00")],
                    "uuid" => [("not-a-guid", "not-a-guid"), ("empty-guid", Guid.Empty.ToString()), ("unknown-guid", NextGuid().ToString())],
                    "email" => [("not-an-email", "not-an-email")],
                    _ => [],
                })
                {
                    yield return (name, With(value));
                }

                break;
            case "integer":
                yield return ("wrong-type-string", With("abc"));
                yield return ("wrong-type-bool", With(true));
                yield return ("fraction", With(1.5));
                yield return ("negative", With(-1));
                yield return ("zero", With(0));
                yield return ("int-max", With(int.MaxValue));
                yield return ("int-overflow", With(JsonNode.Parse("2147483648")));
                yield return ("huge-number", With(JsonNode.Parse("1e400")));
                break;
            case "number":
                yield return ("wrong-type-string", With("abc"));
                yield return ("negative", With(-1));
                yield return ("zero", With(0));
                yield return ("decimal-overflow", With(JsonNode.Parse("79228162514264337593543950336")));
                yield return ("huge-number", With(JsonNode.Parse("1e400")));
                yield return ("tiny-number", With(JsonNode.Parse("1e-400")));
                break;
            case "boolean":
                yield return ("wrong-type-string", With("yes"));
                yield return ("wrong-type-number", With(1));
                break;
            case "array":
                yield return ("wrong-type-string", With("not an array"));
                yield return ("wrong-type-object", With(new JsonObject()));
                yield return ("null-item", With(new JsonArray((JsonNode?)null)));
                yield return ("huge-array-100k", With(HugeArrayOf(field)));
                break;
            case "object":
                yield return ("wrong-type-array", With(new JsonArray()));
                yield return ("wrong-type-string", With("not an object"));
                if (field.Schema.TryGetProperty("additionalProperties", out _) && !field.Schema.TryGetProperty("properties", out _))
                {
                    yield return ("unknown-key", With(new JsonObject { [Pick(Hostile.Sql)] = 3, ["\u202E"] = 3 }));
                }
                else
                {
                    var extra = (field.Path.Aggregate((JsonNode?)example, (node, p) => p is int i ? (node as JsonArray)?[i] : (node as JsonObject)?[(string)p]) as JsonObject)?.DeepClone() as JsonObject;
                    if (extra is not null)
                    {
                        extra["unexpectedField"] = 1;
                        yield return ("extra-field", With(extra));
                    }
                }

                break;
        }
    }

    /// <summary>100,000 items, each small (the request stays under the gateway's 1 MiB so the service sees it).</summary>
    private static JsonArray HugeArrayOf(Field field)
    {
        var items = field.Schema.TryGetProperty("items", out var schema) ? Schemas.TypeOf(schema) : "string";
        var array = new JsonArray();
        for (var i = 0; i < HugeArray; i++)
        {
            array.Add(items switch { "integer" or "number" => JsonValue.Create(1), "object" => new JsonObject(), _ => JsonValue.Create("a") });
        }

        return array;
    }

    private static JsonNode Set(JsonNode example, IReadOnlyList<object> path, JsonNode? value, bool remove)
    {
        var copy = example.DeepClone();
        var parent = copy;
        foreach (var segment in path.Take(path.Count - 1))
        {
            parent = segment is int i ? parent[i]! : parent[(string)segment]!;
        }

        switch (path[^1], parent)
        {
            case (string name, JsonObject obj) when remove:
                obj.Remove(name);
                break;
            case (string name, JsonObject obj):
                obj[name] = value;
                break;
            case (int index, JsonArray array):
                array[index] = value;
                break;
        }

        return copy;
    }

    // Lone surrogates cannot be written by a JSON writer: a placeholder string is swapped for the raw escape after serializing.
    private static string RawPlaceholder(int index) => $"@@raw-unicode-{index}@@";

    private byte[] Serialize(JsonNode body)
    {
        var text = body.ToJsonString();
        for (var i = 0; i < Hostile.InvalidUnicodeJson.Length; i++)
        {
            text = text.Replace($"\"{RawPlaceholder(i)}\"", Hostile.InvalidUnicodeJson[i], StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private byte[]? BaseBody(Operation operation) => BaseNode(operation) is { } node ? Serialize(node) : null;

    private readonly Dictionary<Operation, JsonNode?> _examples = [];

    /// <summary>The operation's example body with the fixtures' ids in it, so that only the mutation can be wrong.</summary>
    private JsonNode? BaseNode(Operation operation)
    {
        if (operation.BodySchema is not { } schema)
        {
            return null;
        }

        if (!_examples.TryGetValue(operation, out var example))
        {
            example = operation.Schemas.Example(schema);
            if (example is not null)
            {
                UseFixtures(example);
            }

            _examples[operation] = example;
        }

        return example;
    }

    private void UseFixtures(JsonNode node)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    UseFixtures(item);
                }
            }

            return;
        }

        if (node is not JsonObject obj)
        {
            return;
        }

        foreach (var (name, value) in obj.ToList())
        {
            Guid? id = name switch
            {
                "clientId" => _fixtures.Client,
                "sponsorContactId" => _fixtures.Contact,
                "candidateId" when value is not null => _fixtures.Candidate,
                "engagementId" => _fixtures.Engagement,
                _ => null,
            };
            if (id is { } fixture)
            {
                obj[name] = fixture.ToString();
            }
            else if (name == "candidateIds")
            {
                obj[name] = new JsonArray(JsonValue.Create(_fixtures.Candidate.ToString()));
            }
            else if (name == "email")
            {
                obj[name] = EmailMarker;
            }
            else if (value is not null)
            {
                UseFixtures(value);
            }
        }
    }

    private string FillPath(Operation operation, Dictionary<string, string>? overrides)
    {
        var path = operation.Path;
        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
        {
            var value = overrides?.GetValueOrDefault(parameter.Name) ?? (parameter.Name, operation.Path) switch
            {
                ("id", var p) when p.EndsWith("/erasure", StringComparison.Ordinal) => _fixtures.ErasableCandidate.ToString(),
                ("id", var p) when p.StartsWith("/api/candidates/", StringComparison.Ordinal) || p.StartsWith("/api/matching/candidates/", StringComparison.Ordinal) => _fixtures.Candidate.ToString(),
                ("id", var p) when p.StartsWith("/api/engagements/clients/", StringComparison.Ordinal) => _fixtures.Client.ToString(),
                ("id", var p) when p.StartsWith("/api/engagements/", StringComparison.Ordinal) => _fixtures.Engagement.ToString(),
                ("id", var p) when p.StartsWith("/api/matching/shortlists/", StringComparison.Ordinal) => _fixtures.Shortlist.ToString(),
                ("id", var p) when p.StartsWith("/api/gateway/keys/", StringComparison.Ordinal) => _fixtures.Key,
                ("candidateId", _) => _fixtures.Candidate.ToString(),
                ("queue", _) => _fixtures.Queues.GetValueOrDefault(operation.Document, "unknown-queue"),
                ("messageId", _) => NextGuid().ToString(),
                _ => NextGuid().ToString(),
            };
            path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    // ---- sending ----

    private async Task<int> SendAsync(FuzzRequest request, string? ifMatch = null)
    {
        var body = request.Body;
        if (body is not null && request.Body is { Length: > 0 })
        {
            // A fresh e-mail per request: a duplicate e-mail is a 409, and it must be the mutation that is refused.
            var text = Encoding.UTF8.GetString(body);
            if (text.Contains(EmailMarker, StringComparison.Ordinal))
            {
                body = Encoding.UTF8.GetBytes(text.Replace(EmailMarker, $"fuzz-{++_emails}@example.com", StringComparison.Ordinal));
            }
        }

        Uri target;
        try
        {
            target = new Uri(http.BaseAddress!, request.Target);
        }
        catch (UriFormatException e)
        {
            tally.RecordTransportError(request.Method, request.Target, request.Case, e);
            return 0;
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.Role is not null)
        {
            message.Headers.Add("X-Api-Key", platform.Key(request.Role));
        }

        if (ifMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        try
        {
            using var response = await http.SendAsync(message);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            tally.Record(request.Method, request.Target, request.Case, response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, response.Headers.Contains("X-Content-Type-Options"));
            return (int)response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            tally.RecordTransportError(request.Method, request.Target, request.Case, e);
            return 0;
        }
    }

    /// <summary>The first role (recruiter, privacy officer, ops, admin) the gateway lets through for the operation.</summary>
    private async Task<string?> RoleForAsync(Operation operation)
    {
        foreach (var role in RoleOrder)
        {
            // No body: nothing is changed by the probe, the gateway decides on method and path alone.
            // For a DELETE, unknown ids too: the probe must not remove the fixture the cases are about.
            var ids = operation.Method == "DELETE" ? operation.Parameters.Where(p => p.In == "path").ToDictionary(p => p.Name, _ => NextGuid().ToString()) : null;
            var probe = new FuzzRequest("role-probe", operation.Method, FillPath(operation, ids), null, null, role);
            var status = await SendAsync(probe);
            if (status != 403)
            {
                return role;
            }
        }

        Console.WriteLine($"  no role may call {operation}: only its refusals are fuzzed");
        return null;
    }

    /// <summary>The current version of what a PUT replaces, so that the If-Match check passes and the body is what is judged.</summary>
    private async Task<string?> ETagAsync(Operation operation, string? role)
    {
        if (role is null)
        {
            return null;
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, FillPath(operation, null));
        message.Headers.Add("X-Api-Key", platform.Key(role));
        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        tally.Record("GET", FillPath(operation, null), "if-match-read", response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        return response.Headers.ETag?.ToString();
    }

    // ---- fixtures ----

    private async Task CreateFixturesAsync()
    {
        var candidates = await PostAsync("recruiter", "/api/candidates", CandidateBody("fuzz-fixture@example.com"));
        _fixtures.Candidate = candidates.GetProperty("id").GetGuid();
        _fixtures.ErasableCandidate = (await PostAsync("recruiter", "/api/candidates", CandidateBody("fuzz-erasable@example.com"))).GetProperty("id").GetGuid();
        _fixtures.Client = (await PostAsync("recruiter", "/api/engagements/clients", """{"name":"Fuzz Fixture AB","industry":"food"}""")).GetProperty("id").GetGuid();
        _fixtures.Contact = (await PostAsync("recruiter", $"/api/engagements/clients/{_fixtures.Client}/contacts", """{"name":"Karin Lund","role":"CEO","email":"karin@fuzz.example","phone":"+46 8 123","hasAuthority":true}""")).GetProperty("id").GetGuid();
        _fixtures.Engagement = (await PostAsync("recruiter", "/api/engagements", $$"""
            {"clientId":"{{_fixtures.Client}}","title":"Interim CFO","situation":"Fuzz fixture","sponsorContactId":"{{_fixtures.Contact}}","exitPlan":"Hand over",
             "brief":{"engagementType":"crisis","level":"senior-management","discipline":"finance","industry":"food","country":"SE","remotePossible":false,
                      "languages":[{"code":"sv","minimumLevel":"professional"}],"mustHaveSkills":[],"niceToHaveSkills":["ifrs"],"startDate":"2027-01-11",
                      "durationWeeks":26,"daysPerWeek":5,"budget":{"min":1200,"max":1600,"currency":"EUR"} } }
            """)).GetProperty("id").GetGuid();
        var ranking = await PostAsync("recruiter", "/api/matching/rankings", """
            {"brief":{"engagementType":"crisis","level":"senior-management","discipline":"finance","industry":null,"country":null,"remotePossible":true,
                      "languages":[],"mustHaveSkills":[],"niceToHaveSkills":[],"startDate":"2027-01-11","durationWeeks":26,"daysPerWeek":5,
                      "budget":{"min":1000,"max":2000,"currency":"EUR"}},"take":20,"excludeCandidateIds":[],"includeCandidatesInVetting":true}
            """);
        _fixtures.Shortlist = ranking.TryGetProperty("shortlistId", out var shortlist) ? shortlist.GetGuid() : ranking.TryGetProperty("id", out var id) ? id.GetGuid() : NextGuid();
        _fixtures.Key = (await PostAsync("admin", "/api/gateway/keys", """{"name":"fuzz-revocable","role":"ops"}""")).GetProperty("id").ToString();
        foreach (var service in new[] { "candidates", "engagements", "matching" })
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, $"/api/{service}/messaging/error-queues");
            message.Headers.Add("X-Api-Key", platform.Key("ops"));
            using var response = await http.SendAsync(message);
            var queues = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;
            if (queues.ValueKind == JsonValueKind.Array && queues.GetArrayLength() > 0)
            {
                _fixtures.Queues[service] = queues[0].GetProperty("queue").GetString()!;
            }
        }

        Console.WriteLine($"fixtures: candidate {_fixtures.Candidate}, client {_fixtures.Client}, engagement {_fixtures.Engagement}, shortlist {_fixtures.Shortlist}, key {_fixtures.Key}, queues {string.Join(", ", _fixtures.Queues.Values)}");
    }

    private static string CandidateBody(string email) => $$"""
        {"fullName":"Fixture Person","email":"{{email}}","location":{"country":"SE","city":"Göteborg","willingToTravel":true,"willingToRelocate":false,"remotePossible":true},
         "languages":[{"code":"sv","level":"native"}],"levels":["senior-management"],"disciplines":["finance"],"industries":["food"],"skills":["ifrs"],
         "engagementTypes":["crisis"],"dayRate":{"amount":1400,"currency":"EUR"},"availability":{"availableFrom":"2027-01-01","noticeDays":0,"daysPerWeek":5},
         "privacy":{"lawfulBasis":"consent","recordedOn":"2026-10-01"} }
        """;

    public async Task<JsonElement> PostAsync(string role, string path, string json)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        message.Headers.Add("X-Api-Key", platform.Key(role));
        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsByteArrayAsync();
        tally.Record("POST", path, "fixture", response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Fixture POST {path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        }

        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>The next of the list in a round robin shared by all fields: every string meets many fields, deterministically.</summary>
    private string Pick(string[] list) => list[_rotation++ % list.Length];

    private Guid NextGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
