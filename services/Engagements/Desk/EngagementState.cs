namespace InterimPlatform.Engagements.Desk;

/// <summary>
/// The engagement lifecycle: draft → intake → shortlisting → shortlist-ready → proposed → placed → active →
/// handover → completed, or cancelled from any open state. A brief that changes goes back to shortlisting;
/// a replacement sends an active engagement back to shortlisting with the previous interim excluded.
/// </summary>
public static class EngagementState
{
    public const string Draft = "draft";
    public const string Intake = "intake";
    public const string Shortlisting = "shortlisting";
    public const string ShortlistReady = "shortlist-ready";
    public const string Proposed = "proposed";
    public const string Placed = "placed";
    public const string Active = "active";
    public const string Handover = "handover";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Draft, Intake, Shortlisting, ShortlistReady, Proposed, Placed, Active, Handover, Completed, Cancelled];

    private static readonly Dictionary<string, string[]> Next = new()
    {
        [Draft] = [Intake, Cancelled],
        [Intake] = [Shortlisting, Cancelled],
        [Shortlisting] = [ShortlistReady, Shortlisting, Cancelled],
        [ShortlistReady] = [Proposed, Shortlisting, Cancelled],
        [Proposed] = [Placed, Shortlisting, Cancelled],
        [Placed] = [Active, Shortlisting, Cancelled],
        [Active] = [Handover, Shortlisting, Cancelled],
        [Handover] = [Completed, Cancelled],
        [Completed] = [],
        [Cancelled] = [],
    };

    public static IReadOnlyList<string> AllowedFrom(string state) => Next.GetValueOrDefault(state) ?? [];

    public static bool IsOpen(string state) => state is not (Completed or Cancelled);
}
