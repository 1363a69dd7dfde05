namespace InterimPlatform.Engagements.Desk;

/// <summary>The worked examples of the OpenAPI document.</summary>
internal static class ApiExamples
{
    public static IReadOnlyDictionary<Type, object> All { get; } = new Dictionary<Type, object>
    {
        [typeof(DraftEngagementRequest)] = new DraftEngagementRequest("Interim CFO during ERP migration", "Nordic Foods AB"),
    };
}
