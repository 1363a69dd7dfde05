using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace InterimPlatform.Tests.Unit.Deployment;

/// <summary>
/// The Aspire manifest of the AppHost's publish-mode model, produced as an operator produces it: the AppHost run with
/// Aspire's manifest publisher (<c>--publisher manifest --output-path …</c>), from this build's AppHost output.
/// </summary>
public sealed class AspireManifest : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "interim-manifest-" + Guid.NewGuid().ToString("N")[..8]);

    public JsonObject Resources { get; private set; } = [];

    public string Text { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var appHost = Checkout.Executable("AppHost", "InterimPlatform.AppHost");
        Assert.True(File.Exists(appHost), $"{appHost} is missing: build the AppHost (the solution's build does).");
        var output = Path.Combine(_directory, "aspire-manifest.json");
        var start = new ProcessStartInfo(appHost, ["--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0 && File.Exists(output), $"The manifest publisher failed ({process.ExitCode}): {await stdout}{await stderr}");
        Text = await File.ReadAllTextAsync(output);
        Resources = JsonNode.Parse(Text)!["resources"]!.AsObject();
    }

    /// <summary>The project resources (each a service a cluster runs), by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Projects =>
        Resources.Where(r => (string?)r.Value!["type"] == "project.v0").ToDictionary(r => r.Key, r => r.Value!.AsObject());

    /// <summary>A project's environment: name to value expression.</summary>
    public static IReadOnlyDictionary<string, string> Environment(JsonObject project) =>
        project["env"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!);

    /// <summary>Whether <paramref name="parameter"/> is a parameter with a secret input (a password, a key, a connection string).</summary>
    public bool IsSecretParameter(string parameter) =>
        Resources[parameter] is JsonObject { } resource && (string?)resource["type"] == "parameter.v0"
        && resource["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder
        }

        return Task.CompletedTask;
    }
}
