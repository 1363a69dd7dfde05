
namespace InterimPlatform.Hosting.NativeServers;

/// <summary>Where the PostgreSQL server binaries are.</summary>
public sealed record PostgresBinaries(string BinDirectory)
{
    public string InitDb => Path.Combine(BinDirectory, "initdb");
    public string Postgres => Path.Combine(BinDirectory, "postgres");
}

/// <summary>Where the RabbitMQ server script and Erlang's port mapper are.</summary>
public sealed record RabbitMQBinaries(string Server, string Epmd);

/// <summary>
/// Finds the installed PostgreSQL and RabbitMQ binaries and, when they are missing and this process
/// may install Debian packages (root with apt-get), installs them with a visible message.
/// </summary>
public static class ServerBinaries
{
    private const string RabbitMQServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly SemaphoreSlim s_install = new(1, 1);

    public static async Task<PostgresBinaries> FindPostgresAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (LocatePostgres() is { } found)
        {
            return found;
        }

        await InstallAsync("postgresql", () => LocatePostgres() is not null, report, cancellationToken).ConfigureAwait(false);
        return LocatePostgres() ?? throw new ServerBinaryMissingException("PostgreSQL", "apt-get install -y postgresql");
    }

    public static async Task<RabbitMQBinaries> FindRabbitMQAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (LocateRabbitMQ() is { } found)
        {
            return found;
        }

        await InstallAsync("rabbitmq-server", () => LocateRabbitMQ() is not null, report, cancellationToken).ConfigureAwait(false);
        return LocateRabbitMQ() ?? throw new ServerBinaryMissingException("RabbitMQ", "apt-get install -y rabbitmq-server");
    }

    internal static PostgresBinaries? LocatePostgres()
    {
        if (CommandRunner.FindOnPath("initdb") is { } initdb && CommandRunner.FindOnPath("postgres") is not null)
        {
            var resolved = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
            return new PostgresBinaries(Path.GetDirectoryName(resolved)!);
        }

        // Debian keeps the server binaries off PATH, one folder per major version: take the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.GetDirectories(debianRoot)
            .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "postgres")))
            .Select(bin => new PostgresBinaries(bin))
            .FirstOrDefault();
    }

    internal static RabbitMQBinaries? LocateRabbitMQ()
    {
        var epmd = CommandRunner.FindOnPath("epmd");
        return File.Exists(RabbitMQServerScript) && epmd is not null ? new RabbitMQBinaries(RabbitMQServerScript, epmd) : null;
    }

    private static async Task InstallAsync(string package, Func<bool> installed, Action<string> report, CancellationToken cancellationToken)
    {
        var command = $"apt-get install -y {package}";
        if (!Posix.IsRoot || CommandRunner.FindOnPath("apt-get") is null)
        {
            throw new ServerBinaryMissingException(package, $"sudo {command}");
        }

        await s_install.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!installed())
            {
                await InstallWithAptAsync(package, command, report, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            s_install.Release();
        }
    }

    private static async Task InstallWithAptAsync(string package, string command, Action<string> report, CancellationToken cancellationToken)
    {
        report($"{package} is not installed: installing it now with '{command}' (about a minute)...");

        // Debian starts a freshly installed server as a system service; ours runs in its own folder,
        // so deny service starts for the duration of the install unless a policy is already in place.
        const string policy = "/usr/sbin/policy-rc.d";
        var ownPolicy = !File.Exists(policy);
        if (ownPolicy)
        {
            await File.WriteAllTextAsync(policy, "#!/bin/sh\nexit 101\n", cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        try
        {
            var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            // Wait for the package lock rather than fail when another install (another AppHost, a test run) holds it.
            string[] install = ["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", package];
            var (code, output) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment).ConfigureAwait(false);
            if (code != 0)
            {
                // A fresh machine may have no package lists yet.
                await CommandRunner.RunAsync("apt-get", ["-o", "DPkg::Lock::Timeout=300", "update", "-q"], cancellationToken, environment: environment).ConfigureAwait(false);
                (code, output) = await CommandRunner.RunAsync("apt-get", install, cancellationToken, environment: environment).ConfigureAwait(false);
            }

            if (code != 0)
            {
                report(output);
                throw new ServerBinaryMissingException(package, command);
            }

            report($"{package} installed.");
        }
        finally
        {
            if (ownPolicy)
            {
                File.Delete(policy);
            }
        }
    }
}

/// <summary>A server binary is missing and could not be installed; the message says what to run.</summary>
public sealed class ServerBinaryMissingException(string server, string command)
    : Exception($"{server} is not installed and could not be installed automatically. Run: {command}")
{
    public string Command { get; } = command;
}
