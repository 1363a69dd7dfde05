using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using InterimPlatform.Dashboard.Otlp.Common;

namespace InterimPlatform.Dashboard.Telemetry;

/// <summary>OTLP values as the dashboard shows them: ids in lower-case hex, times from Unix nanoseconds, attributes as text.</summary>
internal static class OtlpValues
{
    internal static readonly KeyValuePair<string, string>[] NoAttributes = [];

    public static string? Id(ByteString bytes) => bytes.IsEmpty ? null : Convert.ToHexStringLower(bytes.Span);

    public static DateTimeOffset Time(ulong unixNanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    public static long Nanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static KeyValuePair<string, string>[] Attributes(RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0)
        {
            return NoAttributes;
        }
        var result = new KeyValuePair<string, string>[attributes.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = new(attributes[i].Key, Text(attributes[i].Value));
        }
        return result;
    }

    public static string? Find(RepeatedField<KeyValue> attributes, string key)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key == key)
            {
                return Text(attribute.Value);
            }
        }
        return null;
    }

    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => Array(value.ArrayValue),
        AnyValue.ValueOneofCase.KvlistValue => List(value.KvlistValue),
        _ => "",
    };

    private static string Array(ArrayValue array)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < array.Values.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Text(array.Values[i]));
        }
        return text.Append(']').ToString();
    }

    private static string List(KeyValueList list)
    {
        var text = new StringBuilder("{");
        for (var i = 0; i < list.Values.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(list.Values[i].Key).Append(": ").Append(Text(list.Values[i].Value));
        }
        return text.Append('}').ToString();
    }

    /// <summary>.NET's level names, as the pages show them.</summary>
    public static string SeverityName(int severityNumber) => severityNumber switch
    {
        <= 0 => "Unspecified",
        <= 4 => "Trace",
        <= 8 => "Debug",
        <= 12 => "Information",
        <= 16 => "Warning",
        <= 20 => "Error",
        _ => "Critical",
    };
}
