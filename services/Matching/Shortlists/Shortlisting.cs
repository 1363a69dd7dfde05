using InterimPlatform.Contracts.Matching.V1;
using InterimPlatform.Matching.Ranking;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Outbox;
using InterimPlatform.Matching.Data;
using Microsoft.EntityFrameworkCore;

namespace InterimPlatform.Matching.Shortlists;

/// <summary>Ranks the index against a brief and turns the outcome into a shortlist to store.</summary>
public sealed class Shortlisting(CandidateIndex index, TimeProvider timeProvider)
{
    public Shortlist Produce(
        MatchBrief brief,
        int top,
        IReadOnlyCollection<Guid> excludedCandidateIds,
        bool includeCandidatesInVetting,
        Guid? engagementId,
        Guid? requestId,
        string requestedBy)
    {
        var now = timeProvider.GetUtcNowForStorage();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var outcome = index.Rank(new RankingRequest(brief, top, excludedCandidateIds, includeCandidatesInVetting, engagementId, today));
        var id = SequentialGuid.Next(now);
        return new Shortlist
        {
            Id = id,
            Kind = requestId is null ? Shortlist.AdHoc : Shortlist.ForEngagement,
            EngagementId = engagementId,
            RequestId = requestId,
            Brief = brief,
            Top = top,
            IncludeCandidatesInVetting = includeCandidatesInVetting,
            ExcludedCandidateIds = [.. excludedCandidateIds],
            RankedFor = today,
            WeightsVersion = outcome.WeightsVersion,
            Weights = outcome.Weights,
            Considered = outcome.Considered,
            Eligible = outcome.Eligible,
            FilteredOut = new Dictionary<string, int>(outcome.FilteredOut),
            RequestedBy = requestedBy,
            CreatedAt = now,
            Entries = [.. outcome.Candidates.Select(c => new ShortlistEntry
            {
                ShortlistId = id,
                CandidateId = c.CandidateId,
                Rank = c.Rank,
                FullName = c.FullName,
                Score = c.Score,
                Flags = [.. c.Flags],
                Criteria = [.. c.Criteria],
            })],
        };
    }

    /// <summary>A candidate a recruiter adds by hand, assessed against the shortlist's brief today; null when not in the pool.</summary>
    public ShortlistEntry? AssessForPin(Shortlist shortlist, Guid candidateId)
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var request = new RankingRequest(shortlist.Brief, shortlist.Top, shortlist.ExcludedCandidateIds, shortlist.IncludeCandidatesInVetting, shortlist.EngagementId, today);
        if (index.Assess(candidateId, request) is not { } assessment)
        {
            return null;
        }

        var c = assessment.Candidate;
        return new ShortlistEntry
        {
            ShortlistId = shortlist.Id,
            CandidateId = candidateId,
            Rank = null,
            FullName = c.FullName,
            Score = c.Score,
            Flags = [.. c.Flags],
            Criteria = [.. c.Criteria],
            Exclusion = assessment.Exclusion,
        };
    }

    /// <summary>
    /// Takes out of a shortlist about to be stored anyone erased since the index ranked them. Holds their pool
    /// rows FOR SHARE until the caller's transaction commits, so an erasure either finished before (and is seen
    /// here) or waits and then cleans the stored shortlist itself.
    /// </summary>
    public static async Task DropErasedAsync(MatchingDbContext db, Shortlist shortlist, CancellationToken cancellationToken)
    {
        var ids = shortlist.Entries.Select(e => e.CandidateId).ToArray();
        var rows = await db.PoolCandidates.FromSql($"SELECT *, xmin FROM pool_candidates WHERE candidate_id = ANY({ids}) FOR SHARE").AsNoTracking().ToListAsync(cancellationToken);
        var erased = rows.Where(r => r.Erased).Select(r => r.CandidateId).ToHashSet();
        shortlist.Entries.RemoveAll(e => erased.Contains(e.CandidateId));
    }

    /// <summary>The event Engagements receives for a shortlist it asked for.</summary>
    public static ShortlistProduced Event(Shortlist shortlist) => new(
        shortlist.Id,
        shortlist.RequestId ?? Guid.Empty,
        shortlist.EngagementId ?? Guid.Empty,
        shortlist.WeightsVersion,
        shortlist.Considered,
        shortlist.Eligible,
        [.. shortlist.Entries.Where(e => e.Rank is not null).OrderBy(e => e.Rank).Select(e => new ShortlistedCandidate(e.Rank!.Value, e.CandidateId, e.FullName, e.Score, e.Flags, e.Criteria))],
        shortlist.CreatedAt);
}
