using Aspire.Hosting.ApplicationModel;
using InterimPlatform.AppHost.Operations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Unit.Operations;

/// <summary>What the dashboard shows of error queues and services: state, health and the commands' texts.</summary>
public sealed class DashboardOperationsTests
{
    [Fact]
    public void An_error_queue_with_messages_is_shown_running_and_degraded_with_its_depth()
    {
        var one = ErrorQueueView.Of("matching-candidate-registered_error", 1);
        var many = ErrorQueueView.Of("matching-candidate-registered_error", 15);

        Assert.Equal((KnownResourceStates.Running, false, HealthStatus.Degraded), (one.State, one.Hidden, one.Health));
        Assert.Equal("1 message in matching-candidate-registered_error.", one.Description);
        Assert.Equal("15 messages in matching-candidate-registered_error.", many.Description);
        Assert.Equal(15, many.Messages);
        Assert.Equal(KnownResourceStateStyles.Warn, many.StateStyle);
    }

    [Fact]
    public void An_empty_or_unread_error_queue_is_hidden_and_healthy()
    {
        var empty = ErrorQueueView.Of("q_error", 0);
        var unread = ErrorQueueView.Of("q_error", null);

        Assert.Equal((ErrorQueueView.EmptyState, true, HealthStatus.Healthy), (empty.State, empty.Hidden, empty.Health));
        Assert.Equal((ErrorQueueView.NotReadState, true, HealthStatus.Healthy), (unread.State, unread.Hidden, unread.Health));
        Assert.Null(unread.Messages);
    }

    [Fact]
    public void Every_error_queue_belongs_to_the_service_its_name_starts_with()
    {
        string[] services = ["candidates", "engagements", "matching"];

        Assert.All(OperatedQueues.All, q => Assert.Equal(q.Service, OperatedQueues.OwnerOf(q.ErrorQueue, services)));
        Assert.Null(OperatedQueues.OwnerOf("gateway-audit_error", services));
        Assert.Equal("candidates-partner-intake-error", OperatedQueues.All[0].ResourceName);
        Assert.Equal(OperatedQueues.All.Count, OperatedQueues.All.Select(q => q.ResourceName).Distinct().Count());
    }

    [Fact]
    public void A_service_with_failed_messages_is_degraded_naming_each_queue_once_it_has_been_ready()
    {
        (string, long)[] waiting = [("candidates-partner-intake_error", 3), ("candidates-placement-ended_error", 1)];

        var ready = ServiceHealth.ErrorQueuesResult(waiting, ready: true);
        var starting = ServiceHealth.ErrorQueuesResult(waiting, ready: false);
        var quiet = ServiceHealth.ErrorQueuesResult([], ready: true);

        Assert.Equal(HealthStatus.Degraded, ready.Status);
        Assert.Equal("Failed messages wait: 3 messages in candidates-partner-intake_error; 1 message in candidates-placement-ended_error.", ready.Description);
        // Before it has been ready, Degraded would hold up every resource that waits for it.
        Assert.Equal(HealthStatus.Healthy, starting.Status);
        Assert.StartsWith(ready.Description, starting.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, quiet.Status);
    }

    [Theory]
    [InlineData(200, """{"status":"Healthy","checks":{"self":{"status":"Healthy"}}}""", true, HealthStatus.Healthy, null)]
    [InlineData(200, """{"status":"Degraded","checks":{"self":{"status":"Healthy"},"sla":{"status":"Degraded","description":"1 engagement in breach"}}}""", true, HealthStatus.Degraded, "sla: 1 engagement in breach")]
    [InlineData(200, """{"status":"Degraded","checks":{"sla":{"status":"Degraded","description":"1 engagement in breach"}}}""", false, HealthStatus.Healthy, "sla: 1 engagement in breach (reported as Degraded once the service is ready)")]
    [InlineData(503, """{"status":"Unhealthy","checks":{"candidatesdb":{"status":"Unhealthy","description":"connection refused"}}}""", true, HealthStatus.Unhealthy, "/health answered 503: candidatesdb: connection refused")]
    [InlineData(503, "<html>", true, HealthStatus.Unhealthy, "/health answered 503")]
    public void A_services_health_report_becomes_the_resources_health(int status, string body, bool ready, HealthStatus expected, string? description)
    {
        var result = ServiceHealth.FromReport(status, body, ready);

        Assert.Equal(expected, result.Status);
        Assert.Equal(description, result.Description);
    }

    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("  ", new string[0])]
    [InlineData("a1, b2 c3\nc3;d4", new[] { "a1", "b2", "c3", "d4" })]
    public void Message_ids_are_read_as_an_operator_pastes_them(string? text, string[] expected) =>
        Assert.Equal(expected, ErrorQueueCommands.ParseIds(text));

    [Fact]
    public void Peek_shows_each_message_in_a_table_row_without_breaking_it()
    {
        var queue = OperatedQueues.All[0];
        var markdown = ErrorQueueCommands.Markdown(queue,
        [
            new("m-1", "urn:message:InterimPlatform.Contracts.Partners:PartnerCandidate", null, null, new DateTimeOffset(2026, 12, 3, 9, 15, 0, TimeSpan.Zero), "candidate.partnerPersonId: required | sentAt: required", "globalise"),
            new("m-2", null, "Npgsql.NpgsqlException", "line one\nline two", null, null, null),
        ]);
        var rows = markdown.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, rows.Count);
        Assert.Equal(@"| `m-1` | PartnerCandidate | 2026-12-03 09:15:00 | globalise | candidate.partnerPersonId: required \| sentAt: required |", rows[0]);
        Assert.Equal("| `m-2` |  |  |  | line one line two |", rows[1]);
    }
}
