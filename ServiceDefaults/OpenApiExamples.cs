using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Puts a worked example on request and response schemas of the OpenAPI document, so the API reference shows real payloads.</summary>
/// <remarks>
/// Every example must be accepted when sent as it stands, and many rules are relative to today (a review
/// is not held in the future, a placement starts within ten years): examples with dates are therefore
/// made from the day the document is generated (the service's <see cref="TimeProvider"/>), not written in.
/// </remarks>
public static class OpenApiExamples
{
    /// <summary>Examples that do not depend on the day.</summary>
    public static OpenApiOptions AddExamples(this OpenApiOptions options, IReadOnlyDictionary<Type, object> examples) =>
        options.AddExamples(_ => examples);

    /// <summary>Examples made for <c>today</c> (UTC, from the service's <see cref="TimeProvider"/>) each day the document is generated.</summary>
    public static OpenApiOptions AddExamples(this OpenApiOptions options, Func<DateOnly, IReadOnlyDictionary<Type, object>> examplesFor)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(examplesFor);

        // One set per day, shared by every schema of every document generated that day.
        (DateOnly Day, Dictionary<Type, JsonNode?> Nodes)? made = null;
        var gate = new Lock();
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var time = context.ApplicationServices.GetService<TimeProvider>() ?? TimeProvider.System;
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            Dictionary<Type, JsonNode?> nodes;
            lock (gate)
            {
                if (made is not { } current || current.Day != today)
                {
                    made = current = (today, examplesFor(today).ToDictionary(e => e.Key, e => JsonSerializer.SerializeToNode(e.Value, e.Key, JsonSerializerOptions.Web)));
                }

                nodes = current.Nodes;
            }

            if (nodes.TryGetValue(context.JsonTypeInfo.Type, out var example) && example is not null)
            {
                schema.Examples = [example.DeepClone()];
            }

            return Task.CompletedTask;
        });
        return options;
    }
}
