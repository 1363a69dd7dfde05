using System.Runtime.InteropServices;

namespace InterimPlatform.Hosting.Processes;

/// <summary>The few POSIX calls .NET does not expose: signals to process groups and the effective user.</summary>
internal static partial class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Sends <paramref name="signal"/> to every process in the group; false when the group is gone.</summary>
    public static bool SignalGroup(int processGroupId, int signal) => Kill(-processGroupId, signal) == 0;
}
