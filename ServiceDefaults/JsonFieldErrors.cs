using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every field of a JSON document that cannot be read as the type it is meant for, keyed by its path
/// (<c>fullName</c>, <c>languages[2].code</c>, <c>$</c> for the document itself) in the caller's words, and
/// every text that holds a NUL character (U+0000), which no PostgreSQL column can store.
/// </summary>
/// <remarks>
/// System.Text.Json stops at the first mistake and names .NET types in its message; a caller who made three
/// mistakes would have to send three times. This walks the parsed document against the target's
/// <see cref="JsonTypeInfo"/> (the same options, so the same names, converters and nullability) and reports
/// them all. It runs only when reading failed or a NUL was seen, so its cost never falls on a good request.
/// Paths use the style of the services' own validation errors (no <c>$.</c> prefix) so that a caller
/// handles one shape of error whatever found it.
/// </remarks>
public sealed class JsonFieldErrors
{
    /// <summary>The message for text holding U+0000.</summary>
    public const string NulMessage = "May not contain the NUL character (U+0000).";

    /// <summary>The message for a string escape that is no character: a surrogate without its pair (<c>\ud800</c>).</summary>
    public const string InvalidTextMessage = "Must be valid Unicode text: a surrogate escape (\\ud800–\\udfff) must be one of a pair.";

    /// <summary>The path of the document itself (for example an array sent where an object belongs).</summary>
    public const string DocumentPath = "$";

    private static ReadOnlySpan<byte> NulEscape => "u0000"u8;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    private JsonFieldErrors(string? malformed) => Malformed = malformed;

    /// <summary>Set when the text is not JSON at all: what is wrong and where (line and position, from 1).</summary>
    public string? Malformed { get; }

    /// <summary>Each bad field's messages, keyed by its path; empty when nothing was found.</summary>
    public Dictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Whether nothing was found: the document reads as the type and holds no NUL.</summary>
    public bool IsEmpty => Malformed is null && _errors.Count == 0;

    /// <summary>Finds every mistake in <paramref name="utf8Json"/> read as <paramref name="type"/> with <paramref name="options"/>.</summary>
    public static JsonFieldErrors Find(ReadOnlySpan<byte> utf8Json, Type type, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(options);
        if (utf8Json.IsEmpty)
        {
            return new JsonFieldErrors("The body is empty; a JSON document is required.");
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions
            {
                AllowTrailingCommas = options.AllowTrailingCommas,
                CommentHandling = options.ReadCommentHandling == JsonCommentHandling.Allow ? JsonCommentHandling.Skip : options.ReadCommentHandling,
                MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
            });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return new JsonFieldErrors(DescribeMalformed(e));
        }

        using (document)
        {
            options.MakeReadOnly(populateMissingResolver: true);
            try
            {
                return Find(document.RootElement, options.GetTypeInfo(type));
            }
            catch (InvalidOperationException)
            {
                // A property name with a lone surrogate: no path can name it.
                return new JsonFieldErrors("The body holds a name that is not valid Unicode text: a surrogate escape (\\ud800–\\udfff) must be one of a pair.");
            }
        }
    }

    /// <summary>
    /// Whether any string (or property name) of a JSON document holds U+0000. A raw NUL is not valid JSON, so it
    /// can only arrive escaped: one vectorised search clears almost every document, and only one that holds the
    /// escape is read, unescaping only the strings that do.
    /// </summary>
    public static bool ContainsNul(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IndexOf(NulEscape) < 0)
        {
            return false; // the common case: one vectorised search, no reader
        }

        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped
                    && (reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan).IndexOf(NulEscape) >= 0
                    && reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a lone surrogate beside the NUL: reading it reports that, with where.
        }

        return false;
    }

    /// <summary>Finds every mistake in <paramref name="document"/> read with <paramref name="typeInfo"/>.</summary>
    public static JsonFieldErrors Find(JsonElement document, JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var found = new JsonFieldErrors(null);
        found.Walk(document, typeInfo, null, DocumentPath);
        return found;
    }

    /// <summary>
    /// Turns a System.Text.Json path (<c>$.languages[2].code</c>, <c>$['odd key']</c>) into the services' style
    /// (<c>languages[2].code</c>); <c>$</c> stays <c>$</c>.
    /// </summary>
    public static string PathOf(string? jsonPath) => jsonPath switch
    {
        null or "" or "$" => DocumentPath,
        _ when jsonPath.StartsWith("$.", StringComparison.Ordinal) => jsonPath[2..],
        _ when jsonPath.StartsWith('$') => jsonPath[1..],
        _ => jsonPath,
    };

    /// <summary>What is wrong with text that is not JSON, and where, without the reader's internals.</summary>
    public static string DescribeMalformed(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reason = exception.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        reason = (cut >= 0 ? reason[..cut] : reason).Trim();
        var line = (exception.LineNumber ?? 0) + 1;
        var position = (exception.BytePositionInLine ?? 0) + 1;
        return $"The body is not valid JSON (line {line.ToString(CultureInfo.InvariantCulture)}, position {position.ToString(CultureInfo.InvariantCulture)}): {reason}";
    }

    private void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var messages))
        {
            _errors[path] = messages = [];
        }

        if (!messages.Contains(message))
        {
            messages.Add(message);
        }
    }

    /// <param name="converter">A converter named on the property itself, which replaces the type's own reading.</param>
    private void Walk(JsonElement element, JsonTypeInfo typeInfo, JsonConverter? converter, string path)
    {
        var type = typeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        if (element.ValueKind == JsonValueKind.Null)
        {
            // A value type refuses null unless it is Nullable<T> (or its converter reads null itself).
            if (type.IsValueType && underlying is null && !Reads(element, typeInfo, converter))
            {
                Add(path, $"{Must(Expected(typeInfo))}, not null.");
            }

            return;
        }

        if (underlying is not null)
        {
            Walk(element, typeInfo.Options.GetTypeInfo(underlying), converter, path);
            return;
        }

        if (converter is not null || type == typeof(object) || type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type) || type == typeof(JsonDocument))
        {
            // Free-form JSON (stored as it is, often in jsonb) or a property's own converter: read it as its
            // converter would and look for NUL anywhere inside.
            if (converter is not null && !Reads(element, typeInfo, converter))
            {
                Add(path, $"{Must(Expected(typeInfo))}.");
            }

            FindNul(element, path);
            return;
        }

        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object:
                WalkObject(element, typeInfo, path);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    Add(path, $"{Must(Expected(typeInfo))}.");
                    break;
                }

                var itemInfo = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, itemInfo, null, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                    index++;
                }

                break;
            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Add(path, $"{Must(Expected(typeInfo))}.");
                    break;
                }

                var valueInfo = typeInfo.Options.GetTypeInfo(typeInfo.ElementType!);
                foreach (var entry in element.EnumerateObject())
                {
                    var entryPath = Join(path, entry.Name);
                    if (entry.Name.Contains('\0', StringComparison.Ordinal))
                    {
                        Add(entryPath, NulMessage);
                    }

                    Walk(entry.Value, valueInfo, null, entryPath);
                }

                break;
            default:
                WalkValue(element, typeInfo, path);
                break;
        }
    }

    private void WalkObject(JsonElement element, JsonTypeInfo typeInfo, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Add(path, $"{Must(Expected(typeInfo))}.");
            return;
        }

        var options = typeInfo.Options;
        var comparison = options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var properties = new Dictionary<string, JsonPropertyInfo>(comparison);
        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is not null || property.AssociatedParameter is not null || property.IsRequired)
            {
                properties.TryAdd(property.Name, property);
            }
        }

        var disallowUnknown = (typeInfo.UnmappedMemberHandling ?? options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow;
        var seen = new HashSet<JsonPropertyInfo>();
        foreach (var member in element.EnumerateObject())
        {
            if (!properties.TryGetValue(member.Name, out var property))
            {
                if (disallowUnknown)
                {
                    Add(Join(path, member.Name), "Is not a field of this object.");
                }

                continue;
            }

            seen.Add(property);
            var memberPath = Join(path, property.Name);
            if (member.Value.ValueKind == JsonValueKind.Null && !property.PropertyType.IsValueType
                && options.RespectNullableAnnotations && !(property.AssociatedParameter?.IsNullable ?? property.IsSetNullable))
            {
                Add(memberPath, $"{Must(Expected(options.GetTypeInfo(property.PropertyType)))}, not null.");
                continue;
            }

            Walk(member.Value, options.GetTypeInfo(property.PropertyType), property.CustomConverter, memberPath);
        }

        foreach (var property in typeInfo.Properties)
        {
            var required = property.IsRequired || (options.RespectRequiredConstructorParameters && property.AssociatedParameter is { HasDefaultValue: false });
            if (required && !seen.Contains(property))
            {
                Add(Join(path, property.Name), "Is required.");
            }
        }
    }

    private void WalkValue(JsonElement element, JsonTypeInfo typeInfo, string path)
    {
        if (element.ValueKind == JsonValueKind.String && !TryGetText(element, out _))
        {
            Add(path, InvalidTextMessage);
            return;
        }

        if (element.ValueKind == JsonValueKind.String && element.GetString() is { } text && text.Contains('\0', StringComparison.Ordinal))
        {
            // Say what the caller can act on first: it is the NUL, whatever the field's type.
            Add(path, NulMessage);
            return;
        }

        if (!Reads(element, typeInfo, null))
        {
            Add(path, $"{Must(Expected(typeInfo))}.");
        }
    }

    /// <summary>Whether the converter the endpoint would use reads this value; only the error path pays for the exception.</summary>
    private static bool Reads(JsonElement element, JsonTypeInfo typeInfo, JsonConverter? converter)
    {
        try
        {
            if (converter is null)
            {
                element.Deserialize(typeInfo);
            }
            else
            {
                var options = new JsonSerializerOptions(typeInfo.Options);
                options.Converters.Insert(0, converter);
                element.Deserialize(typeInfo.Type, options);
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    private void FindNul(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !TryGetText(element, out _):
                Add(path, InvalidTextMessage);
                break;
            case JsonValueKind.String when element.GetString()!.Contains('\0', StringComparison.Ordinal):
                Add(path, NulMessage);
                break;
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var memberPath = Join(path, member.Name);
                    if (member.Name.Contains('\0', StringComparison.Ordinal))
                    {
                        Add(memberPath, NulMessage);
                    }

                    FindNul(member.Value, memberPath);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindNul(item, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                    index++;
                }

                break;
        }
    }

    /// <summary>What a value of this type looks like, in words a caller who never saw .NET understands.</summary>
    private static string Expected(JsonTypeInfo typeInfo)
    {
        var type = Nullable.GetUnderlyingType(typeInfo.Type) ?? typeInfo.Type;
        if (type != typeInfo.Type)
        {
            return Expected(typeInfo.Options.GetTypeInfo(type));
        }

        return typeInfo.Kind switch
        {
            JsonTypeInfoKind.Object => "an object",
            JsonTypeInfoKind.Enumerable => $"a list of {Plural(typeInfo.Options.GetTypeInfo(typeInfo.ElementType!))}",
            JsonTypeInfoKind.Dictionary => $"an object whose values are {Plural(typeInfo.Options.GetTypeInfo(typeInfo.ElementType!))}",
            _ when type.IsEnum => $"one of: {string.Join(", ", EnumNames(typeInfo))}",
            _ => Scalar(type),
        };
    }

    internal static string Scalar(Type type) => type switch
    {
        _ when type == typeof(string) || type == typeof(char) => "text",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte) => "a whole number",
        _ when type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte) => "a whole number, 0 or more",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) || type == typeof(Half) => "a number",
        _ when type == typeof(DateOnly) => "a date like 2027-02-08",
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "a date and time like 2027-02-08T09:30:00Z",
        _ when type == typeof(TimeOnly) => "a time of day like 09:30:00",
        _ when type == typeof(TimeSpan) => "a duration like 01:30:00",
        _ when type == typeof(Guid) => "an id like 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        _ when type == typeof(Uri) => "a URL",
        _ => "a value of another kind",
    };

    private static string Plural(JsonTypeInfo item)
    {
        var type = Nullable.GetUnderlyingType(item.Type) ?? item.Type;
        return item.Kind switch
        {
            JsonTypeInfoKind.Object => "objects",
            JsonTypeInfoKind.Enumerable => "lists",
            JsonTypeInfoKind.Dictionary => "objects",
            _ when type.IsEnum => $"values from: {string.Join(", ", EnumNames(item.Options.GetTypeInfo(type)))}",
            _ => Scalar(type) switch
            {
                "text" => "text",
                "true or false" => "true or false values",
                var scalar when scalar.StartsWith("a whole number", StringComparison.Ordinal) => "whole numbers" + scalar["a whole number".Length..],
                "a number" => "numbers",
                var scalar when scalar.StartsWith("a date like", StringComparison.Ordinal) => "dates like" + scalar["a date like".Length..],
                var scalar when scalar.StartsWith("an id", StringComparison.Ordinal) => "ids" + scalar["an id".Length..],
                var scalar when scalar.StartsWith("a ", StringComparison.Ordinal) => scalar[2..] + "s",
                var scalar => scalar,
            },
        };
    }

    /// <summary>The names the endpoint's own converter writes (so a naming policy applies), as the caller must send them.</summary>
    private static IEnumerable<string> EnumNames(JsonTypeInfo typeInfo) =>
        Enum.GetValues(typeInfo.Type).Cast<object>()
            .Select(value => JsonSerializer.SerializeToElement(value, typeInfo.Type, typeInfo.Options))
            .Select(written => written.ValueKind == JsonValueKind.String ? written.GetString()! : written.GetRawText())
            .Distinct(StringComparer.Ordinal);

    /// <summary>The string's text; false for one holding an escape that is no character (a lone surrogate).</summary>
    private static bool TryGetText(JsonElement element, out string? text)
    {
        try
        {
            text = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    private static string Join(string path, string name)
    {
        var simple = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-');
        var segment = simple ? name : $"['{name.Replace("\0", "\\u0000", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";
        return path == DocumentPath ? (simple ? segment : "$" + segment) : simple ? $"{path}.{segment}" : path + segment;
    }

    private static string Must(string expected) => "Must be " + expected;

    /// <inheritdoc />
    public override string ToString()
    {
        if (Malformed is not null)
        {
            return Malformed;
        }

        var text = new StringBuilder();
        foreach (var (path, messages) in _errors)
        {
            text.Append(path).Append(": ").AppendJoin(" ", messages).AppendLine();
        }

        return text.ToString();
    }
}
