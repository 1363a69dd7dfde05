namespace InterimPlatform.Candidates.Vetting;

public static class VettingStatus
{
    public const string Sourced = "sourced";
    public const string Screened = "screened";
    public const string Interviewed = "interviewed";
    public const string ReferencesChecked = "references-checked";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Suspended = "suspended";

    public static readonly IReadOnlyList<string> All = [Sourced, Screened, Interviewed, ReferencesChecked, Approved, Rejected, Suspended];
}

/// <summary>The seven traits of an exceptional interim manager (seed 002); each is scored 1–5 at the interview.</summary>
public static class InterviewTraits
{
    public static readonly IReadOnlyList<string> All =
    [
        "operational-from-day-one", "decisive", "clear-and-direct", "motivational-and-empathetic",
        "highly-competent", "integrity", "results-driven",
    ];
}

/// <summary>One step of a candidate's vetting: who moved them where, when and why.</summary>
public sealed class VettingEvent
{
    public long Id { get; init; }

    public Guid CandidateId { get; init; }

    public required string From { get; init; }

    public required string To { get; init; }

    public DateTimeOffset At { get; init; }

    public required string By { get; init; }

    public string? Reason { get; init; }

    /// <summary>Interview scores per trait (interviewed only).</summary>
    public Dictionary<string, int>? TraitScores { get; init; }

    public DateOnly? ApprovedUntil { get; init; }
}

/// <summary>A transition a recruiter asks for.</summary>
/// <param name="To">The status to move to.</param>
/// <param name="Reason">Why; required to reject or suspend.</param>
/// <param name="TraitScores">Required to record an interview: a score 1–5 for each of the seven traits.</param>
/// <param name="ApprovedUntil">For an approval: when re-vetting is due (default two years).</param>
public sealed record VettingTransitionRequest(string? To, string? Reason, Dictionary<string, int>? TraitScores, DateOnly? ApprovedUntil);

/// <summary>
/// The vetting pipeline: sourced → screened → interviewed → references checked → approved, or rejected
/// or suspended. No approval without an interview and references: the path only reaches approved
/// through both. Re-vetting starts again at screened.
/// </summary>
public static class VettingPipeline
{
    public static readonly TimeSpan DefaultApproval = TimeSpan.FromDays(730);

    private static readonly Dictionary<string, string[]> s_allowed = new()
    {
        [VettingStatus.Sourced] = [VettingStatus.Screened, VettingStatus.Rejected],
        [VettingStatus.Screened] = [VettingStatus.Interviewed, VettingStatus.Rejected, VettingStatus.Suspended],
        [VettingStatus.Interviewed] = [VettingStatus.ReferencesChecked, VettingStatus.Rejected, VettingStatus.Suspended],
        [VettingStatus.ReferencesChecked] = [VettingStatus.Approved, VettingStatus.Rejected, VettingStatus.Suspended],
        [VettingStatus.Approved] = [VettingStatus.Screened, VettingStatus.Suspended, VettingStatus.Rejected],
        [VettingStatus.Suspended] = [VettingStatus.Screened, VettingStatus.Rejected],
        [VettingStatus.Rejected] = [VettingStatus.Sourced],
    };

    public static IReadOnlyList<string> AllowedFrom(string status) => s_allowed.GetValueOrDefault(status, []);

    /// <summary>Field errors of the request itself; empty when it is well-formed.</summary>
    public static Dictionary<string, string[]> Validate(VettingTransitionRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.To is null || !VettingStatus.All.Contains(request.To))
        {
            errors["to"] = [$"One of: {string.Join(", ", VettingStatus.All)}."];
            return errors;
        }

        if (request.To is VettingStatus.Rejected or VettingStatus.Suspended && string.IsNullOrWhiteSpace(request.Reason))
        {
            errors["reason"] = [$"A reason is required to move a candidate to {request.To}."];
        }

        if (request.Reason is { Length: > 2000 })
        {
            errors["reason"] = ["At most 2000 characters."];
        }

        if (request.To == VettingStatus.Interviewed)
        {
            var scores = request.TraitScores ?? [];
            var missing = InterviewTraits.All.Where(t => !scores.ContainsKey(t)).ToList();
            if (missing.Count > 0)
            {
                errors["traitScores"] = [$"The interview scores every trait 1–5; missing: {string.Join(", ", missing)}."];
            }
            else if (scores.Any(s => !InterviewTraits.All.Contains(s.Key) || s.Value is < 1 or > 5))
            {
                errors["traitScores"] = [$"Scores are 1–5, for the traits {string.Join(", ", InterviewTraits.All)} only."];
            }
        }
        else if (request.TraitScores is not null)
        {
            errors["traitScores"] = ["Trait scores are recorded with the interview only."];
        }

        if (request.ApprovedUntil is not null && request.To != VettingStatus.Approved)
        {
            errors["approvedUntil"] = ["Only an approval has an expiry."];
        }

        return errors;
    }
}
