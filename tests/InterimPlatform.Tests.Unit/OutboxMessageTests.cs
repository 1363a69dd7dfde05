using System.Diagnostics;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Messaging.Outbox;

namespace InterimPlatform.Tests.Unit;

public sealed class OutboxMessageTests
{
    [Fact]
    public void A_row_turns_back_into_the_same_event()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var changed = new CandidateAvailabilityChanged(Guid.NewGuid(), new CandidateAvailability(new DateOnly(2026, 12, 1), null, 14, 5), now);

        var row = OutboxMessage.Create(changed, changed.CandidateId.ToString(), now);
        var (message, type) = row.Deserialize();

        Assert.Equal(typeof(CandidateAvailabilityChanged), type);
        Assert.Equal(changed, message);
        Assert.Equal(changed.CandidateId.ToString(), row.AggregateId);
        Assert.Null(row.SentAt);
    }

    [Fact]
    public void The_current_trace_is_kept_so_the_consumer_joins_it()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var row = OutboxMessage.Create(new CandidateErased(Guid.NewGuid(), DateTimeOffset.UnixEpoch), "a", DateTimeOffset.UnixEpoch);

        Assert.Equal(activity.Id, row.TraceParent);
        Assert.True(ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parsed));
        Assert.Equal(activity.TraceId, parsed.TraceId);
    }

    [Fact]
    public void Ids_are_unique_and_ordered_by_creation_time()
    {
        var early = OutboxMessage.Create(new CandidateErased(Guid.NewGuid(), DateTimeOffset.UnixEpoch), "a", DateTimeOffset.UnixEpoch);
        var late = OutboxMessage.Create(new CandidateErased(Guid.NewGuid(), DateTimeOffset.UnixEpoch), "a", DateTimeOffset.UnixEpoch.AddSeconds(1));

        Assert.NotEqual(early.Id, late.Id);
        Assert.True(string.CompareOrdinal(early.Id.ToString(), late.Id.ToString()) < 0);
    }
}

public sealed class SequentialGuidTests
{
    [Fact]
    public void Ids_made_in_the_same_millisecond_still_sort_in_creation_order()
    {
        var now = DateTimeOffset.UtcNow;

        var ids = Enumerable.Range(0, 10_000).Select(_ => InterimPlatform.Messaging.Outbox.SequentialGuid.Next(now)).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(7, id.Version));
    }
}
