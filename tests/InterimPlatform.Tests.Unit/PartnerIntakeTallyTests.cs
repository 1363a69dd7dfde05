using InterimPlatform.Candidates.PartnerIntake;

namespace InterimPlatform.Tests.Unit;

public sealed class PartnerIntakeTallyTests
{
    [Theory]
    [InlineData("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z")]
    [InlineData("2026-11-24T10:00:59.9999999Z", "2026-11-24T10:00:00Z")]
    [InlineData("2026-11-24T11:30:15+01:00", "2026-11-24T10:30:00Z")]
    public void A_message_is_counted_in_the_utc_minute_it_was_processed_in(string at, string minute)
    {
        var bucket = PartnerIntakeTallies.BucketOf(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(minute, System.Globalization.CultureInfo.InvariantCulture), bucket);
        Assert.Equal(TimeSpan.Zero, bucket.Offset);
    }

    [Fact]
    public void Each_intake_worker_writes_its_own_rows()
    {
        var writers = Enumerable.Range(0, 100).Select(_ => PartnerIntakeTallies.NewWriter()).ToList();

        Assert.Equal(100, writers.Distinct().Count());
        Assert.All(writers, w => Assert.InRange(w.Length, 1, PartnerIntakeTally.MaxWriterLength));
    }
}
