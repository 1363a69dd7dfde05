using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace InterimPlatform.AppHost;

/// <summary>
/// The AppHost's own command-line options (<c>--state-dir</c>, <c>--reset</c>); everything else goes to Aspire as
/// configuration (<c>--Gateway:Port=5200</c>, <c>--Replicas=2</c>, <c>--Dashboard:Port=18988</c>, …).
/// </summary>
public sealed record AppHostOptions(string StateDirectory, bool Reset, string[] AspireArguments)
{
    public static AppHostOptions Parse(string[] args)
    {
        string? stateDirectory = null;
        var reset = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reset":
                    reset = true;
                    break;
                case "--state-dir" when i + 1 < args.Length:
                    stateDirectory = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--state-dir=", StringComparison.Ordinal))
                    {
                        stateDirectory = args[i]["--state-dir=".Length..];
                    }
                    else
                    {
                        rest.Add(args[i]);
                    }

                    break;
            }
        }

        return new AppHostOptions(stateDirectory ?? DefaultStateDirectory(), reset, [.. rest]);
    }

    /// <summary><c>.apphost</c> at the repository's root (git-ignored), wherever the AppHost is started from.</summary>
    private static string DefaultStateDirectory()
    {
        var projectDirectory = typeof(AppHostOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AppHostProjectDirectory")?.Value ?? AppContext.BaseDirectory;
        return Path.GetFullPath(Path.Combine(projectDirectory, "..", ".apphost"));
    }

    /// <summary>
    /// The arguments for Aspire: the dashboard on stable loopback URLs over plain HTTP (no machine here has a
    /// development certificate), as an Aspire template's launch profile would set them, so the AppHost runs the same
    /// with or without one; and no version check against the internet, which is not reachable here. Given as
    /// configuration, not as this process's environment, so an AppHost run inside a test leaves nothing behind;
    /// an environment variable of the same name wins.
    /// </summary>
    public string[] WithDashboardDefaults()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(AspireArguments).Build();
        var port = configuration.GetValue("Dashboard:Port", 18888);
        var otlpGrpcPort = configuration.GetValue("Dashboard:OtlpGrpcPort", 18889);
        var otlpHttpPort = configuration.GetValue("Dashboard:OtlpHttpPort", 18890);
        var resourceServicePort = configuration.GetValue("Dashboard:ResourceServicePort", 18887);
        var defaults = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://localhost:{port}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{otlpGrpcPort}",
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://localhost:{otlpHttpPort}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{resourceServicePort}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["ASPIRE_VERSION_CHECK_DISABLED"] = "true",
        };
        return [.. defaults.Where(d => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(d.Key))).Select(d => $"--{d.Key}={d.Value}"), .. AspireArguments];
    }
}
