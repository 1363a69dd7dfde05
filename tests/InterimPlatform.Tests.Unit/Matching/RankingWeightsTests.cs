using InterimPlatform.Matching.Ranking;

namespace InterimPlatform.Tests.Unit.Matching;

public sealed class RankingWeightsTests
{
    private static CriterionWeights Valid() => new()
    {
        Availability = 20, Level = 15, Discipline = 15, Industry = 10, Skills = 15,
        EngagementType = 10, Location = 10, Languages = 5, DayRate = 10, TrackRecord = 10,
    };

    private static RankingWeights With(CriterionWeights crisis) => new()
    {
        Version = "test",
        Default = Valid(),
        EngagementTypes = new() { ["crisis"] = crisis },
        EurPerUnit = new() { ["EUR"] = 1m },
    };

    [Fact]
    public void The_standard_weights_have_no_problems_and_match_the_documents_table()
    {
        var standard = RankingWeights.Standard;

        Assert.Empty(standard.Problems());
        Assert.Equal([20, 15, 15, 10, 15, 10, 10, 5, 10, 10, 30], Row(standard.Default));
        Assert.Equal([35, 15, 15, 5, 10, 5, 10, 5, 10, 5, 14], Row(standard.For("gap-cover")));
        Assert.Equal([35, 15, 10, 5, 10, 15, 5, 5, 5, 15, 14], Row(standard.For("crisis")));
        Assert.Equal([15, 10, 10, 10, 25, 10, 10, 5, 10, 10, 30], Row(standard.For("project-leadership")));
        Assert.Equal([10, 10, 15, 15, 25, 5, 5, 5, 10, 10, 30], Row(standard.For("expertise")));
        Assert.Equal([10, 15, 10, 10, 10, 20, 5, 5, 5, 20, 45], Row(standard.For("transformation")));
        Assert.Equal([10, 15, 10, 10, 10, 20, 5, 5, 5, 20, 45], Row(standard.For("change")));
        Assert.Same(standard.Default, standard.For("interim-ceo"));
    }

    [Fact]
    public void An_empty_version_is_a_problem()
    {
        var weights = With(Valid());
        weights.Version = " ";

        Assert.Equal(["Matching:Weights:Version is required: stored shortlists record it."], weights.Problems());
    }

    [Fact]
    public void A_negative_weight_is_a_problem()
    {
        var crisis = Valid();
        crisis.Skills = -1;

        Assert.Equal(["Matching:Weights:crisis: every weight must be between 0 and 1000."], With(crisis).Problems());
    }

    [Fact]
    public void Zero_weights_for_every_criterion_that_always_applies_are_a_problem()
    {
        var crisis = Valid();
        (crisis.Availability, crisis.Level, crisis.Discipline, crisis.EngagementType, crisis.TrackRecord) = (0, 0, 0, 0, 0);

        Assert.Equal(
            ["Matching:Weights:crisis: at least one of the criteria that always apply (availability, level, discipline, engagement type, track record) needs a weight."],
            With(crisis).Problems());
        crisis.TrackRecord = 1;
        Assert.Empty(With(crisis).Problems());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(366)]
    public void A_tolerance_outside_one_day_to_a_year_is_a_problem(int days)
    {
        var crisis = Valid();
        crisis.AvailabilityToleranceDays = days;

        Assert.Equal(["Matching:Weights:crisis: AvailabilityToleranceDays must be between 1 and 365."], With(crisis).Problems());
    }

    [Fact]
    public void A_non_positive_exchange_rate_is_a_problem()
    {
        var weights = With(Valid());
        weights.EurPerUnit["GBP"] = 0m;

        Assert.Equal(["Matching:Weights:EurPerUnit:GBP must be positive."], weights.Problems());
    }

    private static int[] Row(CriterionWeights w) =>
        [w.Availability, w.Level, w.Discipline, w.Industry, w.Skills, w.EngagementType, w.Location, w.Languages, w.DayRate, w.TrackRecord, w.AvailabilityToleranceDays];
}
