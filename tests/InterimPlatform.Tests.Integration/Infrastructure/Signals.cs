using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Tests.Integration.Infrastructure;

public static class Signals
{
    /// <summary>SIGKILL to one process, as a crash would end it.</summary>
    public static Task KillAsync(int processId) =>
        CommandRunner.RunAsync("kill", ["-KILL", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)], CancellationToken.None);
}
