using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops database commands that belong to no request and no message: the outbox dispatcher's poll every
/// second, inbox clean-up, migrations. Each would be a one-span trace of its own, several a second across the
/// services, pushing the traces ops look for (a request, a message) off the dashboard's list. A command inside
/// a request or a consumer has a parent and is kept.
/// </summary>
public sealed class BackgroundDatabaseSpans : BaseProcessor<Activity>
{
    /// <summary>The <c>ActivitySource</c> of Npgsql's own tracing.</summary>
    public const string NpgsqlSource = "Npgsql";

    public override void OnStart(Activity data)
    {
        if (data.Source.Name == NpgsqlSource && data.Parent is null && data.ParentSpanId == default)
        {
            // Not recorded: the exporter skips it, and nothing more is collected for it.
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            data.IsAllDataRequested = false;
        }
    }
}
