using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterimPlatform.Gateway.Access;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// Every request-body example of every service's OpenAPI document, read through the gateway, is accepted when
/// sent as it stands: a caller who copies one from the API reference must not be told it is invalid.
/// </summary>
[Collection(AspirePlatformCollection.Name)]
public sealed class OpenApiExampleTests(AspirePlatform platform, ITestOutputHelper output)
{
    private static readonly string[] Documents = ["candidates", "engagements", "matching", "gateway"];

    [Fact]
    public async Task Every_request_body_example_in_every_services_document_is_accepted_as_it_stands()
    {
        var operations = new List<ExampleOperation>();
        using var reader = platform.Client();
        foreach (var document in Documents)
        {
            operations.AddRange(ExampleOperation.Read(document, JsonDocument.Parse(await reader.GetStringAsync($"/openapi/{document}.json")).RootElement));
        }

        Assert.Contains(operations, o => o.Path == "/api/engagements/{id}/reviews"); // the example that was once refused
        Assert.True(operations.Count >= 20, $"only {operations.Count} operations with a request-body example");

        // Sent in rounds: an operation waits until what its path (and the ids in its body) names was made by an
        // earlier one (a client before its contacts, both before an engagement); what can never be made is sent as it is.
        var made = new Dictionary<string, string>(StringComparer.Ordinal);
        var failures = new List<string>();
        var pending = operations.OrderBy(o => o.IsDestructive).ThenBy(o => o.PathKinds.Count).ToList();
        var makeable = operations.Select(o => o.Makes).OfType<string>().ToHashSet(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var next = pending.FirstOrDefault(o => o.Needs.All(k => made.ContainsKey(k) || !makeable.Contains(k)))
                ?? pending[0];
            pending.Remove(next);
            await SendAsync(next, made, failures);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} example(s) refused:\n{string.Join("\n", failures)}");
    }

    private async Task SendAsync(ExampleOperation operation, Dictionary<string, string> made, List<string> failures)
    {
        var path = operation.Path;
        foreach (var (parameter, kind) in operation.PathKinds)
        {
            var value = kind == "error-queue" ? await ErrorQueueAsync(path) : made.GetValueOrDefault(kind);
            path = path.Replace("{" + parameter + "}", value ?? Guid.Empty.ToString(), StringComparison.Ordinal);
        }

        var body = operation.Example.DeepClone();
        ReplaceIds(body, made);
        var role = AccessRules.AllowedRoles(operation.Method.Method, new PathString(path)).FirstOrDefault() ?? AccessRules.Recruiter;
        using var client = platform.Client(role);
        using var request = new HttpRequestMessage(operation.Method, path) { Content = new StringContent(body!.ToJsonString(), Encoding.UTF8, "application/json") };
        if (operation.Method == HttpMethod.Put && (await client.GetAsync(path)).Headers.ETag is { } etag)
        {
            // Updates need the version read (If-Match); that is the protocol, not the example.
            request.Headers.IfMatch.Add(etag);
        }

        using var response = await client.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        output.WriteLine($"{operation} as {role}: {status}");
        if (response.IsSuccessStatusCode)
        {
            if (operation.Makes is { } kind && TryReadId(answer) is { } id)
            {
                made.TryAdd(kind, id);
            }

            return;
        }

        var documented = operation.DocumentedStatuses.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (status is 400 or 422 || status >= 500 || !documented)
        {
            failures.Add($"{operation} ({operation.Document}) → {status}{(documented ? "" : " (not documented)")}: {answer}\n  sent: {body.ToJsonString()}");
        }
    }

    /// <summary>One of the service's own error queues, from its list: the examples act on a queue that exists.</summary>
    private async Task<string?> ErrorQueueAsync(string path)
    {
        var list = path[..(path.IndexOf("/error-queues/", StringComparison.Ordinal) + "/error-queues".Length)];
        using var client = platform.Client(AccessRules.Admin);
        var queues = JsonDocument.Parse(await client.GetStringAsync(list)).RootElement;
        return queues.EnumerateArray().Select(q => q.GetProperty("queue").GetString()).FirstOrDefault();
    }

    /// <summary>An id field (<c>clientId</c>, <c>sponsorContactId</c>, <c>candidateIds</c>) is given the id of the thing of that kind made earlier.</summary>
    private static void ReplaceIds(JsonNode? node, Dictionary<string, string> made)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (ExampleOperation.KindOfIdField(name) is { } kind && made.TryGetValue(kind, out var id))
                    {
                        obj[name] = value is JsonArray ? new JsonArray(id) : JsonValue.Create(id);
                    }
                    else
                    {
                        ReplaceIds(value, made);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    ReplaceIds(item, made);
                }

                break;
        }
    }

    private static string? TryReadId(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id) ? id.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An operation of an OpenAPI document whose request body has an example.</summary>
internal sealed record ExampleOperation(string Document, HttpMethod Method, string Path, JsonNode Example, IReadOnlySet<string> DocumentedStatuses)
{
    public override string ToString() => $"{Method} {Path}";

    /// <summary>Each path parameter and the kind of thing it names (<c>{id}</c> after <c>clients</c> is a client).</summary>
    public IReadOnlyList<(string Parameter, string Kind)> PathKinds { get; } = ParametersOf(Path);

    /// <summary>The kind of thing a successful call makes (a POST to a collection), if any.</summary>
    public string? Makes => Method == HttpMethod.Post && Path.Split('/')[^1] is { } last && !last.StartsWith('{')
        ? last switch { "rankings" => "shortlist", "clients" or "contacts" or "candidates" or "engagements" or "keys" => Singular(last), _ => null }
        : null;

    /// <summary>What must exist before the call means anything: its path's things and the ids its body names.</summary>
    public IReadOnlyList<string> Needs => [.. PathKinds.Select(p => p.Kind).Where(k => k != "error-queue"), .. IdKinds(Example)];

    /// <summary>Erasure ends what the others work on: it goes last.</summary>
    public bool IsDestructive => Path.EndsWith("/erasure", StringComparison.Ordinal) || Method == HttpMethod.Delete;

    public static IEnumerable<ExampleOperation> Read(string document, JsonElement root)
    {
        var schemas = root.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "post" or "put" or "patch" or "delete"))
            {
                if (!method.Value.TryGetProperty("requestBody", out var requestBody)
                    || !requestBody.GetProperty("content").TryGetProperty("application/json", out var json)
                    || ExampleOf(json, schemas) is not { } example)
                {
                    continue;
                }

                var statuses = method.Value.TryGetProperty("responses", out var responses)
                    ? responses.EnumerateObject().Select(r => r.Name).ToHashSet(StringComparer.Ordinal)
                    : [];
                yield return new ExampleOperation(document, HttpMethod.Parse(method.Name), path.Name, example, statuses);
            }
        }
    }

    public static string? KindOfIdField(string name) => name switch
    {
        _ when name.EndsWith("ContactId", StringComparison.Ordinal) => "contact",
        _ when name.EndsWith("CandidateIds", StringComparison.Ordinal) && name != "candidateIds" => null, // exclusions stay as they are
        "candidateId" or "candidateIds" => "candidate",
        "clientId" => "client",
        "engagementId" => "engagement",
        _ => null,
    };

    private static JsonNode? ExampleOf(JsonElement media, JsonElement schemas)
    {
        if (media.TryGetProperty("example", out var example))
        {
            return JsonNode.Parse(example.GetRawText());
        }

        var schema = media.GetProperty("schema");
        for (var i = 0; i < 10 && schema.TryGetProperty("$ref", out var reference); i++)
        {
            schema = schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
        }

        return schema.TryGetProperty("examples", out var examples) && examples.GetArrayLength() > 0 ? JsonNode.Parse(examples[0].GetRawText()) : null;
    }

    private static List<(string, string)> ParametersOf(string path)
    {
        var segments = path.Split('/');
        var kinds = new List<(string, string)>();
        for (var i = 1; i < segments.Length; i++)
        {
            if (segments[i] is ['{', .. var name, '}'])
            {
                kinds.Add((name, name == "candidateId" ? "candidate" : name == "queue" ? "error-queue" : segments[i - 1] switch
                {
                    "shortlists" => "shortlist",
                    var collection => Singular(collection),
                }));
            }
        }

        return kinds;
    }

    private static IEnumerable<string> IdKinds(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => KindOfIdField(p.Key) is { } kind ? [kind] : IdKinds(p.Value)),
        JsonArray array => array.SelectMany(IdKinds),
        _ => [],
    };

    private static string Singular(string collection) => collection.EndsWith('s') ? collection[..^1] : collection;
}
