using System.Net;
using System.Text;
using System.Text.Json;

namespace InterimPlatform.Tests.Integration.Infrastructure;

/// <summary>What every service answers to a body with mistakes: one 400 validation problem, each bad field by its path.</summary>
public static class FieldErrors
{
    /// <summary>A JSON request body sent exactly as written (type errors and all, which a typed client could not send).</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts a 400 problem whose <c>errors</c> are keyed by exactly <paramref name="paths"/>, with no .NET type names; returns the errors.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, params string[] paths)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", text, StringComparison.Ordinal);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.Equal(paths.Order(StringComparer.Ordinal), errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        return errors;
    }
}
