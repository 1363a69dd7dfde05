using System.Runtime.InteropServices;

namespace InterimPlatform.Bench.Platform;

/// <summary>Signals to processes by id (kill(2)), for processes this one did not start.</summary>
public static partial class Signals
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends the signal; false when the process is gone already.</summary>
    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary><c>kill -9</c>.</summary>
    public static bool Kill(int pid) => Send(pid, SigKill);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
