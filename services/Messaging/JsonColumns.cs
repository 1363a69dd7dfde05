using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace InterimPlatform.Messaging;

/// <summary>Maps a value (a record, a list of records) to one jsonb column.</summary>
public static class JsonColumns
{
    /// <summary>
    /// Stores the value as jsonb in the web (camelCase) shape the API shows; changes inside lists and
    /// records are detected by comparing the serialised form.
    /// </summary>
    public static PropertyBuilder<T> AsJson<T>(this PropertyBuilder<T> property)
    {
        property.HasColumnType("jsonb").HasConversion(
            v => v == null ? null : JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
            v => v == null ? default! : JsonSerializer.Deserialize<T>(v, JsonSerializerOptions.Web)!,
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Web) == JsonSerializer.Serialize(b, JsonSerializerOptions.Web),
                v => v == null ? 0 : JsonSerializer.Serialize(v, JsonSerializerOptions.Web).GetHashCode(StringComparison.Ordinal),
                v => v == null ? default! : JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!));
        return property;
    }
}
