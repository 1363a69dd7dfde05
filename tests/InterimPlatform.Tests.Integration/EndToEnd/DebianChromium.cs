using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Tests.Integration.EndToEnd;

/// <summary>
/// Debian's Chromium, which the browser tests drive (Playwright cannot download browsers here). Installed
/// with apt-get when missing and this process is root, as the AppHost installs its servers; otherwise the
/// test fails with the command to run.
/// </summary>
internal static class DebianChromium
{
    public const string Executable = "/usr/bin/chromium";
    private const string InstallCommand = "apt-get install -y chromium";
    private static readonly SemaphoreSlim s_install = new(1, 1);

    public static async Task<string> EnsureInstalledAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (File.Exists(Executable))
        {
            return Executable;
        }

        if (!Posix.IsRoot || CommandRunner.FindOnPath("apt-get") is null)
        {
            throw new InvalidOperationException($"Chromium is not installed ({Executable} is missing). Run: sudo {InstallCommand} (or scripts/install-prerequisites.sh)");
        }

        await s_install.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Executable))
            {
                report($"chromium is not installed: installing it now with '{InstallCommand}'...");
                var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
                string[] install = ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", "chromium"];
                var (code, log) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment);
                if (code != 0)
                {
                    // A fresh machine may have no package lists yet.
                    await CommandRunner.RunAsync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update", "-q"], cancellationToken, environment: environment);
                    (code, log) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment);
                }

                if (code != 0 || !File.Exists(Executable))
                {
                    throw new InvalidOperationException($"Installing chromium failed (exit code {code}). Run: sudo {InstallCommand}{Environment.NewLine}{log}");
                }

                report("chromium installed.");
            }
        }
        finally
        {
            s_install.Release();
        }

        return Executable;
    }
}
