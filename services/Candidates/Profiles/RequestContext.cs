namespace InterimPlatform.Candidates.Profiles;

/// <summary>Who is asking (<see cref="CallerIdentity"/>), and which version of a candidate they last saw (<see cref="EntityTags"/>).</summary>
internal static class RequestContext
{
    public static string Actor(HttpContext context) => CallerIdentity.Actor(context);

    public static string ETag(uint version) => EntityTags.ETag(version);

    public static (bool Present, uint? Version) IfMatch(HttpContext context) => EntityTags.IfMatch(context);
}
