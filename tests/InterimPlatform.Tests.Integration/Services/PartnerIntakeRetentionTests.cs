using InterimPlatform.Candidates.Data;
using InterimPlatform.Candidates.PartnerIntake;
using InterimPlatform.Tests.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace InterimPlatform.Tests.Integration.Services;

/// <summary>The partner intake's bookkeeping is deleted once past its retention: Candidates in-process against the real PostgreSQL.</summary>
[Collection(PlatformServersCollection.Name)]
public sealed class PartnerIntakeRetentionTests(PlatformServers servers) : IAsyncLifetime
{
    private ServiceHost<CandidatesDbContext> _service = null!;

    public async Task InitializeAsync()
    {
        _service = new ServiceHost<CandidatesDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:candidatesdb"] = await servers.CreateDatabaseAsync("candidates"),
            ["ConnectionStrings:messaging"] = servers.ServiceMessagingConnectionString("candidates"),
            ["PartnerIntake:RetentionSweepInterval"] = "00:00:01",
        });
        await _service.WaitUntilHealthyAsync();
    }

    [Fact]
    public async Task Rejection_records_after_30_days_and_tallies_after_400_days_are_deleted_and_younger_ones_kept()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var scope = _service.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
            db.PartnerRejections.AddRange(
                new PartnerRejection { MessageKey = new string('a', 64), SenderId = "globalise", RejectedAt = now.AddDays(-31) },
                new PartnerRejection { MessageKey = new string('b', 64), SenderId = "globalise", RejectedAt = now.AddDays(-29) });
            db.PartnerIntakeTallies.AddRange(
                new PartnerIntakeTally { BucketStart = Minute(now.AddDays(-401)), PartnerId = "globalise", Writer = "test", Accepted = 5 },
                new PartnerIntakeTally { BucketStart = Minute(now.AddDays(-399)), PartnerId = "globalise", Writer = "test", Accepted = 7 });
            await db.SaveChangesAsync();
        }

        var left = await Eventually.GetAsync(async () =>
        {
            await using var scope = _service.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CandidatesDbContext>();
            var rejections = await db.PartnerRejections.Select(r => r.MessageKey).ToListAsync();
            var tallies = await db.PartnerIntakeTallies.Select(t => t.Accepted).ToListAsync();
            return rejections.Count == 1 && tallies.Count == 1 ? new { rejections, tallies } : null;
        }, TimeSpan.FromSeconds(30), "the sweep to delete the old rows");

        Assert.Equal(new string('b', 64), left.rejections.Single());
        Assert.Equal(7, left.tallies.Single());
    }

    private static DateTimeOffset Minute(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);

    public async Task DisposeAsync() => await _service.DisposeAsync();
}
