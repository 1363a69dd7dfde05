using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.Hosting;

/// <summary>Puts a worked example on request and response schemas of the OpenAPI document, so the API reference shows real payloads.</summary>
public static class OpenApiExamples
{
    public static OpenApiOptions AddExamples(this OpenApiOptions options, IReadOnlyDictionary<Type, object> examples)
    {
        var nodes = examples.ToDictionary(e => e.Key, e => JsonSerializer.SerializeToNode(e.Value, e.Key, JsonSerializerOptions.Web));
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (nodes.TryGetValue(context.JsonTypeInfo.Type, out var example) && example is not null)
            {
                schema.Examples = [example.DeepClone()];
            }

            return Task.CompletedTask;
        });
        return options;
    }
}
