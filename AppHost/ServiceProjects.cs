using System.Reflection;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost.Operations;
using Microsoft.Extensions.Hosting;

namespace InterimPlatform.AppHost;

/// <summary>
/// Runs a service from its build output instead of through <c>dotnet run</c>. Aspire starts a project resource as
/// <c>dotnet run --no-build --project …</c>: one more process per instance (≈130 MB resident, and an MSBuild
/// evaluation of the project at every start) that holds nothing the service needs, since the AppHost's own build
/// has built every referenced service already. The service gets the environment Aspire gives a project: OTLP
/// export, its environment name, its URL.
/// </summary>
internal static class ServiceProjects
{
    /// <summary>The AppHost's build configuration (Debug or Release): its project references were built the same way.</summary>
    private static readonly string s_configuration =
        typeof(ServiceProjects).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static IResourceBuilder<ExecutableResource> AddServiceProject<TProject>(this IDistributedApplicationBuilder builder, string name, int port)
        where TProject : IProjectMetadata, new()
    {
        var projectPath = new TProject().ProjectPath;
        var projectDirectory = Path.GetDirectoryName(projectPath)!;
        var executable = Path.Combine(projectDirectory, "bin", s_configuration, "net10.0", Path.GetFileNameWithoutExtension(projectPath));
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: build the AppHost (dotnet build AppHost), which builds every service it runs.");
        }

        return builder.AddExecutable(name, executable, projectDirectory)
            .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false)
            .WithEnvironment("ASPNETCORE_URLS", "http://localhost:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithOtlpExporter()
            .WithIconName("CodeCircle")
            .WithServiceHealthCheck();
    }
}
