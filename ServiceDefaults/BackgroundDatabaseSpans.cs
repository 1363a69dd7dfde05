using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops database commands that succeeded outside any request, message or batch: the outbox dispatcher's poll
/// every second, migrations. Each would be a one-span trace of its own, several a second across the services,
/// pushing the traces ops look for off the dashboard's list. A command with a parent is kept, and so is a
/// failed one (a poll while PostgreSQL is down is worth seeing). Registered before the exporter, so its
/// <see cref="OnEnd"/> runs first.
/// </summary>
public sealed class BackgroundDatabaseSpans : BaseProcessor<Activity>
{
    /// <summary>The <c>ActivitySource</c> of Npgsql's own tracing.</summary>
    public const string NpgsqlSource = "Npgsql";

    public override void OnEnd(Activity data)
    {
        if (data.Source.Name == NpgsqlSource && data.Parent is null && data.ParentSpanId == default && data.Status != ActivityStatusCode.Error)
        {
            // Not recorded: the exporter's processor skips it.
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
