using System.Reflection;
using System.Text;
using InterimPlatform.Dashboard.Components;
using InterimPlatform.Dashboard.Resources;
using InterimPlatform.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.FluentUI.AspNetCore.Components;

namespace InterimPlatform.Dashboard.Hosting;

/// <summary>
/// The dashboard's web host, run inside the AppHost's process: the UI (Blazor, interactive server) on
/// <see cref="DashboardOptions.Port"/>, OTLP gRPC (h2c) and OTLP HTTP on their own ports, all on loopback.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardHost(WebApplication app, DashboardOptions options)
    {
        _app = app;
        Options = options;
    }

    public DashboardOptions Options { get; }

    /// <summary>The link the AppHost prints: it logs in and sets the cookie.</summary>
    public string LoginUrl => Options.LoginUrl;

    public IServiceProvider Services => _app.Services;

    public static async Task<DashboardHost> StartAsync(DashboardOptions options, IResourceSource resources, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            // Static web assets (Fluent UI's, Blazor's script, ours) are described by the manifests built
            // for the entry assembly (the AppHost): the application name selects them.
            ApplicationName = entry,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // The AppHost's own configuration and environment (ASPNETCORE_URLS, for example) are not the dashboard's.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // ListenLocalhost binds 127.0.0.1 and ::1 and nothing else: the dashboard is for this machine.
            kestrel.ListenLocalhost(options.Port, l => l.Protocols = HttpProtocols.Http1);
            kestrel.ListenLocalhost(options.OtlpGrpcPort, l => l.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(options.OtlpHttpPort, l => l.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(resources);
        builder.Services.AddSingleton(timeProvider);
        builder.Services.AddSingleton<DashboardAccess>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddDashboardTelemetry(telemetry =>
        {
            telemetry.ApiKey = options.OtlpApiKey;
            telemetry.StorageDirectory = options.StorageDirectory;
        });
        builder.Services.AddDashboardOperationsPages(options.ConfigureMessaging ?? (_ => { }), options.ConfigureBusiness ?? (_ => { }));

        var app = builder.Build();
        var access = app.Services.GetRequiredService<DashboardAccess>();
        app.Use((context, next) => access.InvokeAsync(context, next));
        app.UseAntiforgery();
        var assets = Path.Combine(AppContext.BaseDirectory, $"{entry}.staticwebassets.endpoints.json");
        if (File.Exists(assets))
        {
            app.MapStaticAssets(assets);
        }

        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        MapResourceApi(app);
        // Each receiver only on its own port (the access middleware also keeps everything else off those ports).
        app.MapOtlpGrpc().RequireHost($"*:{options.OtlpGrpcPort}");
        app.MapOtlpHttp().RequireHost($"*:{options.OtlpHttpPort}");

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new DashboardHost(app, options);
    }

    /// <summary>JSON and text endpoints behind the same login: the resource list, and a console log as a .txt download.</summary>
    private static void MapResourceApi(WebApplication app)
    {
        app.MapGet("/api/resources", (IResourceSource source) => Results.Ok(source.Resources.Select(r => new
        {
            r.Name,
            r.Type,
            r.State,
            r.Health,
            r.ProcessId,
            r.Restarts,
            r.Urls,
        })));

        app.MapGet("/api/console/{resource}", (string resource, IResourceSource source, TimeProvider time) =>
        {
            if (!source.Resources.Any(r => r.Name == resource))
            {
                return Results.NotFound();
            }

            var text = new StringBuilder();
            foreach (var line in source.ConsoleTail(resource, int.MaxValue))
            {
                text.Append(line.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(line.IsError ? " ERR " : "     ")
                    .AppendLine(line.Text);
            }

            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/plain; charset=utf-8", $"{resource}-{time.GetUtcNow():yyyyMMdd-HHmmss}.txt");
        });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
