using System.Globalization;

namespace InterimPlatform.Candidates.Profiles;

/// <summary>Who is asking (<see cref="CallerIdentity"/>), and which version of a candidate they last saw.</summary>
internal static class RequestContext
{
    public static string Actor(HttpContext context) => CallerIdentity.Actor(context);

    public static string ETag(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The version in <c>If-Match</c>: null when absent; false when present but not one of ours.</summary>
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
