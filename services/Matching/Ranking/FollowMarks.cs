using System.Collections.Concurrent;

namespace InterimPlatform.Matching.Ranking;

/// <summary>
/// Lets a consumer leave the index refresh of what it commits to this replica's <see cref="PoolChangeFollower"/>,
/// which re-reads every announced change anyway, instead of reading the same rows a second time itself. The consumer
/// announces a mark last in its transaction; PostgreSQL delivers a transaction's notifications in the order sent and
/// transactions' in commit order, so once the follower has refreshed everything announced before the mark, the index
/// holds the consumer's changes (or later ones).
/// </summary>
public sealed class FollowMarks(IndexStatus status)
{
    /// <summary>What a mark's notification payload starts with; replicas that know no marks ignore it, as it is no candidate id.</summary>
    internal const string Prefix = "mark:";

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<bool>> _waiting = new();

    /// <summary>A mark to announce before committing, or null while the index does not follow changes (refresh yourself).</summary>
    public FollowMark? Expect()
    {
        var mark = new FollowMark(this, Guid.NewGuid());
        _waiting[mark.Id] = mark.Reached;
        // Checked after registering: the follower marks itself not following before it abandons the waiting marks,
        // so a mark registered too late to be abandoned sees that here.
        if (!status.Current.FollowingChanges)
        {
            mark.Dispose();
            return null;
        }

        return mark;
    }

    /// <summary>The follower refreshed everything announced before this mark.</summary>
    internal void Reached(Guid id)
    {
        if (_waiting.TryRemove(id, out var waiting))
        {
            waiting.TrySetResult(true);
        }
    }

    /// <summary>The follow connection is gone, and with it the marks' notifications: their consumers refresh themselves.</summary>
    internal void Abandon()
    {
        foreach (var id in _waiting.Keys)
        {
            if (_waiting.TryRemove(id, out var waiting))
            {
                waiting.TrySetResult(false);
            }
        }
    }

    internal void Forget(Guid id) => _waiting.TryRemove(id, out _);
}

/// <summary>One consumer's mark (<see cref="FollowMarks"/>).</summary>
public sealed class FollowMark(FollowMarks marks, Guid id) : IDisposable
{
    /// <summary>Beyond any wait seen in practice: a safety net, after which the consumer refreshes itself.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public Guid Id { get; } = id;

    /// <summary>The notification payload to send last in the transaction.</summary>
    public string Payload => FollowMarks.Prefix + Id.ToString("N");

    internal TaskCompletionSource<bool> Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the follower has refreshed what was committed before the mark; false if it cannot tell (refresh yourself).</summary>
    public async Task<bool> RefreshedAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await Reached.Task.WaitAsync(Patience, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => marks.Forget(Id);
}
