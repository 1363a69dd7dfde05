using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>ETags from row versions, and the version a caller's <c>If-Match</c> names: optimistic concurrency over HTTP.</summary>
public static class EntityTags
{
    public static string ETag(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The version in <c>If-Match</c>: not present; or present, and null when it is not one of ours.</summary>
    public static (bool Present, uint? Version) IfMatch(HttpContext context)
    {
        var header = context.Request.Headers.IfMatch.FirstOrDefault();
        if (string.IsNullOrEmpty(header))
        {
            return (false, null);
        }

        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return uint.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? (true, version) : (true, null);
    }
}
