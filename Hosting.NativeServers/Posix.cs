using System.Runtime.InteropServices;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>The effective user, which .NET does not expose: PostgreSQL refuses to run as root.</summary>
internal static partial class Posix
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => GetEffectiveUserId() == 0;
}
