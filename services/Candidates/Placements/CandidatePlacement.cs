using InterimPlatform.Candidates.Profiles;

namespace InterimPlatform.Candidates.Placements;

/// <summary>
/// A placement of the candidate as Engagements announced it. "Placed", "ended" and "completed" travel on
/// separate queues and may arrive in any order, so each fills in its own part of the row. The row goes
/// with the candidate (foreign key, on delete cascade): an erasure leaves none behind.
/// </summary>
public sealed class CandidatePlacement
{
    public Guid PlacementId { get; init; }

    public Guid EngagementId { get; init; }

    public Guid CandidateId { get; init; }

    /// <summary>Null until the "placed" event arrived.</summary>
    public DateOnly? FirstDay { get; set; }

    /// <summary>Last day of the contract (inclusive); null until the "placed" event arrived.</summary>
    public DateOnly? LastDay { get; set; }

    /// <summary>When the placement ended (completed, replaced or cancelled): the person is free the day after.</summary>
    public DateOnly? EndedOn { get; set; }

    /// <summary>The candidate's available-from before this placement took it (null: available at once).</summary>
    public DateOnly? AvailableFromBefore { get; set; }

    /// <summary>The available-from this placement set; null when it set none or gave it back.</summary>
    public DateOnly? AvailableFromSetTo { get; set; }

    /// <summary>When the assignment was completed; set once its outcome is in the track record.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The last day the placement still takes the person, seen from <paramref name="today"/>: null when it
    /// is not known yet, never took (ended before its first day) or is already over.
    /// </summary>
    public DateOnly? BusyThrough(DateOnly today)
    {
        if (FirstDay is not { } first || LastDay is not { } last)
        {
            return null;
        }

        var end = EndedOn ?? last;
        return end < first || end < today ? null : end;
    }

    /// <summary>
    /// Brings the candidate's available-from in line with this placement; true when it changed.
    /// While the placement takes the person, they are available from the day after it (after its end, once
    /// one is known), or from what they had before if that is later. Once it no longer takes them (over, or
    /// never took), they get back what they had before: a day after an end that has passed says no more
    /// than "now". A date someone else set since (a recruiter, a partner, another placement) is theirs:
    /// the placement leaves it alone.
    /// </summary>
    public bool ReconcileAvailability(Candidate candidate, DateOnly today)
    {
        var busyThrough = BusyThrough(today);
        if (AvailableFromSetTo is { } held)
        {
            if (candidate.AvailableFrom != held)
            {
                return false;
            }

            var freeFrom = busyThrough?.AddDays(1);
            if (freeFrom is null || AvailableFromBefore > freeFrom)
            {
                candidate.AvailableFrom = AvailableFromBefore;
                AvailableFromBefore = null;
                AvailableFromSetTo = null;
            }
            else
            {
                candidate.AvailableFrom = freeFrom;
                AvailableFromSetTo = freeFrom;
            }

            return candidate.AvailableFrom != held;
        }

        if (busyThrough is { } lastBusyDay && (candidate.AvailableFrom is null || candidate.AvailableFrom <= lastBusyDay))
        {
            AvailableFromBefore = candidate.AvailableFrom;
            AvailableFromSetTo = lastBusyDay.AddDays(1);
            candidate.AvailableFrom = AvailableFromSetTo;
            return true;
        }

        return false;
    }
}
