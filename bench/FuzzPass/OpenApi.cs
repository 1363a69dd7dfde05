using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterimPlatform.Bench.FuzzPass;

/// <summary>A parameter of an operation: where it goes, and what the schema says it is.</summary>
internal sealed record Parameter(string Name, string In, string Type, string? Format, bool IsArray);

/// <summary>One operation of one OpenAPI document, with a valid example body when it takes one.</summary>
internal sealed record Operation(string Document, string Method, string Path, IReadOnlyList<Parameter> Parameters, JsonElement? BodySchema, Schemas Schemas)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>The component schemas of one document: resolves references and the nullable one-of wrappers ASP.NET Core writes.</summary>
internal sealed class Schemas(JsonElement components)
{
    public JsonElement Resolve(JsonElement schema)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                schema = components.GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
            }
            else if ((schema.TryGetProperty("oneOf", out var choices) || schema.TryGetProperty("anyOf", out choices))
                && choices.EnumerateArray().FirstOrDefault(c => TypeOf(c) != "null") is { ValueKind: JsonValueKind.Object } choice)
            {
                schema = choice;
            }
            else
            {
                break;
            }
        }

        return schema;
    }

    /// <summary>The schema's type without "null"; "integer" and "number" win over the "string" they are also accepted as.</summary>
    public static string TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) || schema.TryGetProperty("additionalProperties", out _) ? "object" : "any";
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString()!;
        }

        var types = type.EnumerateArray().Select(t => t.GetString()!).Where(t => t != "null").ToList();
        return types.FirstOrDefault(t => t is "integer" or "number") ?? types.FirstOrDefault() ?? "null";
    }

    public static string? FormatOf(JsonElement schema) => schema.TryGetProperty("format", out var format) ? format.GetString() : null;

    /// <summary>The schema's own example, or a plausible valid value built from its properties.</summary>
    public JsonNode? Example(JsonElement schema, int depth = 0)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("examples", out var examples) && examples.GetArrayLength() > 0)
        {
            return JsonNode.Parse(examples[0].GetRawText());
        }

        if (schema.TryGetProperty("example", out var example))
        {
            return JsonNode.Parse(example.GetRawText());
        }

        if (depth > 6)
        {
            return null;
        }

        switch (TypeOf(schema))
        {
            case "object":
                var obj = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        obj[property.Name] = Example(property.Value, depth + 1);
                    }
                }

                return obj;
            case "array":
                return schema.TryGetProperty("items", out var items) ? new JsonArray(Example(items, depth + 1)) : new JsonArray();
            case "integer":
                return 1;
            case "number":
                return 100;
            case "boolean":
                return false;
            case "string":
                return FormatOf(schema) switch
                {
                    "date" => "2027-01-15",
                    "date-time" => "2027-01-15T09:00:00+00:00",
                    "uuid" => Guid.Empty.ToString(),
                    "email" => "fuzz@example.com",
                    _ => schema.TryGetProperty("enum", out var values) ? values[0].GetString() : "text",
                };
            default:
                return null;
        }
    }
}

internal static class OpenApi
{
    public static readonly string[] Documents = ["candidates", "engagements", "matching", "gateway"];

    /// <summary>Every operation (method and path) of the gateway's OpenAPI documents.</summary>
    public static async Task<List<Operation>> OperationsAsync(HttpClient http)
    {
        var operations = new List<Operation>();
        foreach (var name in Documents)
        {
            using var response = await http.GetAsync($"/openapi/{name}.json");
            response.EnsureSuccessStatusCode();
            var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;
            var schemas = new Schemas(document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default);
            foreach (var path in document.GetProperty("paths").EnumerateObject())
            {
                foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete" or "patch"))
                {
                    var parameters = new List<Parameter>();
                    if (method.Value.TryGetProperty("parameters", out var list))
                    {
                        foreach (var parameter in list.EnumerateArray())
                        {
                            var schema = schemas.Resolve(parameter.GetProperty("schema"));
                            var isArray = Schemas.TypeOf(schema) == "array";
                            var item = isArray ? schemas.Resolve(schema.GetProperty("items")) : schema;
                            parameters.Add(new Parameter(parameter.GetProperty("name").GetString()!, parameter.GetProperty("in").GetString()!, Schemas.TypeOf(item), Schemas.FormatOf(item), isArray));
                        }
                    }

                    JsonElement? body = method.Value.TryGetProperty("requestBody", out var requestBody)
                        && requestBody.GetProperty("content").TryGetProperty("application/json", out var json)
                        ? json.GetProperty("schema") : null;
                    operations.Add(new Operation(name, method.Name.ToUpperInvariant(), path.Name, parameters, body, schemas));
                }
            }
        }

        return operations;
    }
}
