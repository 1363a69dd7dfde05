using System.Reflection;

namespace InterimPlatform.Tests;

/// <summary>The checkout the tests run from, and the build outputs in it (both test projects link this file).</summary>
internal static class Checkout
{
    /// <summary>The build configuration of this test assembly, which the solution's build gave the AppHost and services too.</summary>
    public static string Configuration { get; } = typeof(Checkout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The folder holding InterimPlatform.sln, above the test output.</summary>
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "InterimPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (InterimPlatform.sln) was not found above the test output.");
    }

    /// <summary>Where the solution's build puts a project's executable (<c>AppHost</c>, <c>services/Matching</c> …).</summary>
    public static string Executable(string projectFolder, string assemblyName) =>
        Path.Combine(Root(), projectFolder, "bin", Configuration, "net10.0", assemblyName);
}
