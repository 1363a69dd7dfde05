using InterimPlatform.Ops.Business;

namespace InterimPlatform.Tests.Unit.Ops.Business;

public sealed class PartnerIntakeTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static IntakeTallies Tallies(int bucketMinutes, params IntakeTallyBucket[] buckets) => new(
        From,
        From.AddMinutes(4 * bucketMinutes),
        bucketMinutes,
        [.. buckets.GroupBy(b => b.PartnerId).Select(g => new IntakeTallyTotal(g.Key, g.Sum(b => b.Accepted), g.Sum(b => b.Duplicate), g.Sum(b => b.Rejected), g.Sum(b => b.Stale)))],
        buckets);

    [Fact]
    public void Every_bucket_of_the_window_gets_a_point_and_a_bucket_nobody_sent_in_is_zero()
    {
        var figures = PartnerIntake.Figures(
            Tallies(15, new(From, "globalise", 10, 1, 2, 0), new(From.AddMinutes(30), "globalise", 5, 0, 0, 1)),
            ["globalise"]);

        var accepted = figures.ByStatus.Single(s => s.Name == "accepted");
        Assert.Equal([From, From.AddMinutes(15), From.AddMinutes(30), From.AddMinutes(45)], accepted.Points.Select(p => p.Time));
        Assert.Equal([10L, 0, 5, 0], accepted.Points.Select(p => p.Count));
        Assert.Equal(["accepted", "duplicate", "rejected", "stale"], figures.ByStatus.Select(s => s.Name));
        Assert.Equal([13L, 0, 6, 0], Assert.Single(figures.ByPartner).Points.Select(p => p.Count));
        Assert.Equal(19, figures.Total);
        Assert.True(figures.HasData);
    }

    [Fact]
    public void Statuses_add_up_across_partners_and_the_rejected_share_is_of_all_messages()
    {
        var figures = PartnerIntake.Figures(
            Tallies(1, new(From, "globalise", 6, 0, 1, 0), new(From, "nordic-interim", 0, 0, 3, 0)),
            ["globalise", "nordic-interim"]);

        Assert.Equal(4, figures.ByStatus.Single(s => s.Name == "rejected").Points[0].Count);
        Assert.Equal(40, figures.RejectedPercent);
        Assert.Equal(100, figures.Partners.Single(p => p.PartnerId == "nordic-interim").RejectedPercent);
    }

    [Fact]
    public void Configured_partners_come_first_in_their_order_even_without_messages_then_any_other_that_sent()
    {
        var figures = PartnerIntake.Figures(
            Tallies(1, new(From, "zeta-network", 1, 0, 0, 0), new(From, "alpha-network", 1, 0, 0, 0), new(From, "globalise", 2, 0, 0, 0)),
            ["nordic-interim", "globalise"]);

        Assert.Equal(["nordic-interim", "globalise", "alpha-network", "zeta-network"], figures.ByPartner.Select(s => s.Name));
        Assert.Equal(["nordic-interim", "globalise", "alpha-network", "zeta-network"], figures.Partners.Select(p => p.PartnerId));
        Assert.Null(figures.Partners[0].RejectedPercent);
        Assert.Equal(0, figures.ByPartner[0].Total);
    }

    [Fact]
    public async Task Without_a_gateway_or_a_key_nothing_is_asked_and_the_page_is_told_why()
    {
        var intake = new PartnerIntake(new HttpClient(), Microsoft.Extensions.Options.Options.Create(new BusinessOptions { ApiKey = "ipk.test" }));

        var figures = await intake.ReadAsync(From, From.AddHours(1), 1, CancellationToken.None);

        Assert.False(figures.HasData);
        Assert.Contains("Ops__OpsApiKey", figures.Problem, StringComparison.Ordinal);
    }
}
