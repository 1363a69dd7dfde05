using InterimPlatform.Candidates.PartnerIntake;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InterimPlatform.Tests.Unit;

public sealed class PartnerIntakeHealthTests
{
    [Fact]
    public void A_partner_above_the_threshold_with_enough_messages_degrades_the_intake_and_is_named_with_its_ratio_and_count()
    {
        var assessment = PartnerIntakeHealth.Assess([Total("globalise", accepted: 39, rejected: 21)], threshold: 0.2, minimumMessages: 20);

        Assert.Equal(HealthStatus.Degraded, assessment.Status);
        Assert.Equal("globalise: 35% of 60 messages rejected in the last 15 minutes (threshold 20%)", assessment.Description);
        var above = Assert.Single(assessment.AboveThreshold);
        Assert.Equal(0.35, above.Ratio, 3);
    }

    [Fact]
    public void Every_message_counts_towards_the_total_whatever_its_receipt_said()
    {
        var ratio = PartnerIntakeHealth.RatioOf(new PartnerIntakeTotal("globalise", Accepted: 10, Duplicate: 5, Rejected: 4, Stale: 1));

        Assert.Equal(20, ratio.Messages);
        Assert.Equal(4, ratio.Rejected);
        Assert.Equal(0.2, ratio.Ratio, 6);
    }

    [Fact]
    public void Exactly_at_the_threshold_is_still_healthy()
    {
        var assessment = PartnerIntakeHealth.Assess([Total("globalise", accepted: 80, rejected: 20)], threshold: 0.2, minimumMessages: 20);

        Assert.Equal(HealthStatus.Healthy, assessment.Status);
        Assert.Equal("1 partner, none above 20% rejected over 15 min", assessment.Description);
        Assert.Empty(assessment.AboveThreshold);
    }

    [Fact]
    public void Too_few_messages_say_too_little_to_degrade_the_intake()
    {
        var below = PartnerIntakeHealth.Assess([Total("globalise", accepted: 0, rejected: 19)], threshold: 0.2, minimumMessages: 20);
        var atMinimum = PartnerIntakeHealth.Assess([Total("globalise", accepted: 0, rejected: 20)], threshold: 0.2, minimumMessages: 20);

        Assert.Equal(HealthStatus.Healthy, below.Status);
        Assert.Equal(HealthStatus.Degraded, atMinimum.Status);
        Assert.Equal("globalise: 100% of 20 messages rejected in the last 15 minutes (threshold 20%)", atMinimum.Description);
    }

    [Fact]
    public void Of_several_partners_only_those_above_the_threshold_are_named_most_rejected_first()
    {
        var assessment = PartnerIntakeHealth.Assess(
            [
                Total("alpha-search", accepted: 95, rejected: 5),
                Total("globalise", accepted: 39, rejected: 21),
                Total("nordic-interim", accepted: 10, rejected: 30),
                Total("tiny-partner", accepted: 0, rejected: 3),
            ],
            threshold: 0.2,
            minimumMessages: 20);

        Assert.Equal(HealthStatus.Degraded, assessment.Status);
        Assert.Equal(["nordic-interim", "globalise"], assessment.AboveThreshold.Select(r => r.PartnerId));
        Assert.Equal(
            "nordic-interim: 75% of 40 messages rejected in the last 15 minutes (threshold 20%); "
            + "globalise: 35% of 60 messages rejected in the last 15 minutes (threshold 20%)",
            assessment.Description);
    }

    [Fact]
    public void Partners_all_below_the_threshold_are_counted_in_a_healthy_description()
    {
        var assessment = PartnerIntakeHealth.Assess(
            [Total("alpha-search", accepted: 95, rejected: 5), Total("globalise", accepted: 50, rejected: 1), Total("idle", accepted: 0, rejected: 0)],
            threshold: 0.1,
            minimumMessages: 20);

        Assert.Equal(HealthStatus.Healthy, assessment.Status);
        Assert.Equal("2 partners, none above 10% rejected over 15 min", assessment.Description);
    }

    [Fact]
    public void No_partner_messages_is_healthy()
    {
        var assessment = PartnerIntakeHealth.Assess([], threshold: 0.2, minimumMessages: 20);

        Assert.Equal(HealthStatus.Healthy, assessment.Status);
        Assert.Equal("0 partners, none above 20% rejected over 15 min", assessment.Description);
    }

    [Theory]
    [InlineData(0.35, "35%")]
    [InlineData(0.2051, "20.5%")]
    [InlineData(1.0, "100%")]
    [InlineData(0.0, "0%")]
    public void Ratios_read_as_percentages(double ratio, string text) => Assert.Equal(text, PartnerIntakeHealth.Percent(ratio));

    private static PartnerIntakeTotal Total(string partner, long accepted, long rejected) => new(partner, accepted, 0, rejected, 0);
}
