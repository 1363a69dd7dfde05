using System.Diagnostics;
using System.Runtime.InteropServices;

namespace InterimPlatform.Bench.GatewayOverhead;

/// <summary>
/// wrk (the load generator) and nginx (the reference proxy), from Debian. Installed with apt-get when
/// missing and running as root, without leaving a system nginx service running; otherwise the exact
/// command to run is printed.
/// </summary>
internal static class Prerequisites
{
    private const string PolicyFile = "/usr/sbin/policy-rc.d";

    /// <summary>The paths of wrk and nginx, or null (with the reason printed) when they cannot be had.</summary>
    public static (string Wrk, string Nginx)? Ensure()
    {
        var wrk = Find("wrk");
        var nginx = Find("nginx");
        if (wrk is not null && nginx is not null)
        {
            return (wrk, nginx);
        }

        string[] missing = [.. new[] { ("wrk", wrk), ("nginx", nginx) }.Where(p => p.Item2 is null).Select(p => p.Item1)];
        var command = $"apt-get install -y {string.Join(' ', missing)}";
        if (geteuid() != 0)
        {
            Console.Error.WriteLine($"prerequisites: {string.Join(" and ", missing)} missing. Run: sudo {command}");
            return null;
        }

        // Debian starts a freshly installed nginx as a system service on port 80; a policy-rc.d that
        // answers 101 ("action forbidden") prevents it, as scripts/install-prerequisites.sh does for RabbitMQ.
        Console.WriteLine($"prerequisites: {string.Join(" and ", missing)} missing; installing: {command} (services kept stopped by {PolicyFile})");
        var ownPolicy = false;
        if (!File.Exists(PolicyFile))
        {
            File.WriteAllText(PolicyFile, "#!/bin/sh\n# written by bench/GatewayOverhead for the duration of apt-get install\nexit 101\n");
            File.SetUnixFileMode(PolicyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            ownPolicy = true;
        }

        try
        {
            string[] install = ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", .. missing];
            if (Run("apt-get", install) != 0)
            {
                // Stale package lists are the usual reason: refresh them once and try again.
                Console.WriteLine("prerequisites: apt-get update");
                if (Run("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update", "-q"]) != 0 || Run("apt-get", install) != 0)
                {
                    Console.Error.WriteLine($"prerequisites: apt-get failed. Run: {command}");
                    return null;
                }
            }
        }
        finally
        {
            if (ownPolicy)
            {
                File.Delete(PolicyFile);
            }
        }

        if (missing.Contains("nginx"))
        {
            StopSystemNginx();
        }

        wrk = Find("wrk");
        nginx = Find("nginx");
        if (wrk is null || nginx is null)
        {
            Console.Error.WriteLine($"prerequisites: still missing after apt-get. Run: {command}");
            return null;
        }

        Console.WriteLine("prerequisites: installed.");
        return (wrk, nginx);
    }

    /// <summary>
    /// In case the system nginx was started anyway (a machine whose policy allows it): stop it and keep it
    /// from starting at boot. Only the service this run just installed is touched.
    /// </summary>
    private static void StopSystemNginx()
    {
        var systemd = File.Exists("/run/systemd/system") || Directory.Exists("/run/systemd/system");
        if (systemd)
        {
            Console.WriteLine("prerequisites: systemctl disable --now nginx (the benchmark runs its own nginx)");
            Run("systemctl", ["disable", "--now", "nginx"]);
            return;
        }

        if (File.Exists("/run/nginx.pid"))
        {
            Console.WriteLine("prerequisites: service nginx stop (the benchmark runs its own nginx)");
            Run("service", ["nginx", "stop"]);
        }

        Run("update-rc.d", ["nginx", "disable"], quiet: true);
    }

    private static string? Find(string program)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        return path.Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
    }

    private static int Run(string file, IEnumerable<string> arguments, bool quiet = false)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = quiet, RedirectStandardError = quiet };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var process = Process.Start(start)!;
            if (quiet)
            {
                process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
            }

            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // not installed (systemctl, update-rc.d on a minimal system)
        }
    }

    [DllImport("libc", SetLastError = false)]
#pragma warning disable SYSLIB1054 // a parameterless call: nothing to marshal, nothing for LibraryImport to generate
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
