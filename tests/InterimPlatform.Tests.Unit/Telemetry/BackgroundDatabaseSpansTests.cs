using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace InterimPlatform.Tests.Unit.Telemetry;

/// <summary>What a service exports of its database commands, through the services' own OpenTelemetry set-up.</summary>
// Activity sources and listeners are process-wide: tests that export spans must not run beside each other.
[Collection(TelemetryListenersCollection.Name)]
public sealed class BackgroundDatabaseSpansTests
{
    [Fact]
    public void A_successful_database_command_outside_any_request_or_message_is_not_exported_and_one_inside_or_failed_is()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureOpenTelemetry();
        var exported = new List<string>();
        // After the services' own processors, as the OTLP exporter is.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource("Test.Requests")
            .AddProcessor(new SimpleActivityExportProcessor(new CapturingExporter(exported))));
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();

        using var npgsql = new ActivitySource(BackgroundDatabaseSpans.NpgsqlSource);
        using var requests = new ActivitySource("Test.Requests");
        using (npgsql.StartActivity("outbox poll", ActivityKind.Client))
        {
        }

        using (requests.StartActivity("POST /api/candidates", ActivityKind.Server))
        using (npgsql.StartActivity("INSERT candidates", ActivityKind.Client))
        {
        }

        // A command whose parent came over the wire (a consumer's, for example) is inside a trace too.
        var remote = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        using (npgsql.StartActivity("SELECT inbox", ActivityKind.Client, remote))
        {
        }

        // A failed one stays, parent or not: ops need to see the poll that could not reach the database.
        using (var failed = npgsql.StartActivity("outbox poll (failed)", ActivityKind.Client))
        {
            failed!.SetStatus(ActivityStatusCode.Error, "57P01: terminating connection due to administrator command");
        }

        Assert.Equal(["INSERT candidates", "POST /api/candidates", "SELECT inbox", "outbox poll (failed)"], exported);
    }

    private sealed class CapturingExporter(List<string> exported) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                exported.Add(activity.DisplayName);
            }

            return ExportResult.Success;
        }
    }
}
