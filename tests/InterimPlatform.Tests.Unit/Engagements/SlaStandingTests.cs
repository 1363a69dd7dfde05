using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Sla;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Unit.Engagements;

/// <summary>What the <c>sla</c> health check and the SLA gauges make of the open engagements.</summary>
public sealed class SlaStandingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly SlaOptions Targets = new();
    private static readonly Guid NordicFoods = Guid.NewGuid();

    [Fact]
    public void No_engagement_in_breach_is_healthy_and_says_how_many_are_at_risk()
    {
        var standing = Read(
            Started(1),
            Started(8.5, EngagementState.ShortlistReady, shortlistAfter: 3));

        var health = standing.ToHealth(10);

        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("no engagement in breach; 1 at risk", health.Description);
        Assert.Empty(standing.Breaches);
    }

    [Fact]
    public void One_open_engagement_past_its_proposal_target_is_degraded_naming_it_its_client_and_the_due_date()
    {
        var late = Started(11, EngagementState.ShortlistReady, shortlistAfter: 4);
        var standing = Read(late).WithClientNames(new Dictionary<Guid, string> { [NordicFoods] = "Nordic Foods AB" });

        var health = standing.ToHealth(10);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal($"1 engagement in breach of the 10-day promise: Interim CFO at Nordic Foods AB ({late.Id}) proposal due 2026-11-29; 0 at risk", health.Description);
        Assert.Equal(1, health.Data["breached"]);
    }

    [Fact]
    public void The_furthest_milestone_in_breach_is_the_one_named()
    {
        var neither = Started(11);

        var breach = Assert.Single(Read(neither).Breaches);

        Assert.Equal((SlaClock.Proposed, Now.AddDays(-1)), (breach.Milestone, breach.DueAt));
    }

    [Fact]
    public void Many_breaches_are_named_longest_overdue_first_up_to_five_and_the_rest_counted()
    {
        var late = Enumerable.Range(0, 7).Select(i => Started(11 + i, title: $"Engagement {i}")).ToArray();
        var standing = Read(late);

        var health = standing.ToHealth(10);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.StartsWith("7 engagements in breach of the 10-day promise: Engagement 6 (", health.Description, StringComparison.Ordinal);
        Assert.EndsWith("Engagement 2 (" + late[2].Id + ") proposal due 2026-11-27 and 2 more; 0 at risk", health.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(late[1].Id.ToString(), health.Description, StringComparison.Ordinal);
        Assert.Equal(7, standing.Breaches.Count);
        Assert.Equal([NordicFoods], standing.ClientsToName);
    }

    [Fact]
    public void At_risk_counts_every_open_engagement_with_a_milestone_due_soon_even_one_already_late_on_another()
    {
        var standing = Read(
            Started(8.5, EngagementState.ShortlistReady, shortlistAfter: 3),
            Started(9, EngagementState.ShortlistReady, shortlistAfter: 2),
            Started(8.5), // shortlist late, proposal due in 1.5 days: as GET /sla/at-risk lists it
            Started(2));

        Assert.Equal(3, standing.AtRisk);
        Assert.Single(standing.Breaches);
    }

    [Fact]
    public void A_milestone_reached_late_on_an_engagement_that_moved_on_or_a_closed_engagement_is_not_a_breach()
    {
        var missedThenMovedOn = Started(12, EngagementState.Proposed, shortlistAfter: 7, proposedAfter: 9);
        var cancelledLate = Started(15, EngagementState.Cancelled);

        var standing = Read(missedThenMovedOn, cancelledLate);

        Assert.Equal(["missed", "met", "on-track"], SlaClock.Milestones(missedThenMovedOn, Targets, Now).Select(m => m.Status));
        Assert.Empty(standing.Breaches);
        Assert.Equal(HealthStatus.Healthy, standing.ToHealth(10).Status);
    }

    [Fact]
    public void The_median_days_are_the_KPI_figures()
    {
        Engagement[] started = [Started(30, EngagementState.Proposed, shortlistAfter: 2, proposedAfter: 4), Started(30, EngagementState.Proposed, shortlistAfter: 3, proposedAfter: 6), Started(30, EngagementState.Proposed, shortlistAfter: 5, proposedAfter: 9)];
        var kpis = SlaEndpoints.Kpis(new DateOnly(2026, 9, 2), new DateOnly(2026, 12, 1), started, 0, Targets, Now);

        var standing = SlaStanding.Read(started, kpis, Targets, Now);

        Assert.Equal(kpis.TimeToProposal.MedianDays, standing.MedianDays[SlaClock.Proposed]);
        Assert.Equal(6, standing.MedianDays[SlaClock.Proposed]);
        Assert.Equal(3, standing.MedianDays[SlaClock.ShortlistReady]);
        Assert.Null(standing.MedianDays[SlaClock.Placed]);
    }

    [Fact]
    public void A_long_title_is_cut_so_five_names_fit()
    {
        var late = Started(11, title: new string('x', 200));

        var description = Read(late).ToHealth(10).Description!;

        Assert.Contains(new string('x', 59) + "… (", description, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 60), description, StringComparison.Ordinal);
    }

    internal static SlaStanding Read(params Engagement[] engagements) =>
        SlaStanding.Read(engagements, SlaEndpoints.Kpis(new DateOnly(2026, 9, 2), new DateOnly(2026, 12, 1), [], 0, Targets, Now), Targets, Now);

    /// <summary>An engagement whose SLA clock started <paramref name="daysAgo"/> days before <see cref="Now"/>.</summary>
    internal static Engagement Started(double daysAgo, string state = EngagementState.Shortlisting, string title = "Interim CFO", double? shortlistAfter = null, double? proposedAfter = null)
    {
        var start = Now.AddDays(-daysAgo);
        return new Engagement
        {
            Id = Guid.NewGuid(),
            ClientId = NordicFoods,
            Title = title,
            State = state,
            ClockStartedAt = start,
            ShortlistReadyAt = shortlistAfter is { } s ? start.AddDays(s) : null,
            ProposedAt = proposedAfter is { } p ? start.AddDays(p) : null,
        };
    }
}
