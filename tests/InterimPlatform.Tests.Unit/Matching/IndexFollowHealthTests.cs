using InterimPlatform.Matching.Ranking;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>What <c>/health</c> says about the index following the pool's changes.</summary>
public sealed class IndexFollowHealthTests
{
    [Fact]
    public async Task Following_is_healthy_and_a_lost_follow_connection_is_degraded_not_unhealthy()
    {
        var status = new IndexStatus();
        var check = new IndexFollowHealthCheck(status);
        status.Update(s => s with { FollowingChanges = true });

        var following = await check.CheckHealthAsync(new HealthCheckContext());
        var lostAt = new DateTimeOffset(2026, 12, 1, 3, 12, 0, TimeSpan.Zero);
        status.Update(s => s with { FollowingChanges = false, NotFollowingSince = lostAt });
        var lost = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, following.Status);
        Assert.Equal(HealthStatus.Degraded, lost.Status);
        Assert.Contains(lostAt.ToString("O"), lost.Description, StringComparison.Ordinal);
    }
}
