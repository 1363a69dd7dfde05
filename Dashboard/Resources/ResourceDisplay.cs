using Microsoft.FluentUI.AspNetCore.Components;

namespace InterimPlatform.Dashboard.Resources;

/// <summary>How resource states look, the same on every page.</summary>
public static class ResourceDisplay
{
    public static BadgeColor StateColor(string state) => state switch
    {
        "Running" => BadgeColor.Success,
        "Starting" or "Waiting" or "Stopping" => BadgeColor.Warning,
        "FailedToStart" or "RuntimeUnhealthy" => BadgeColor.Danger,
        "Exited" => BadgeColor.Severe,
        _ => BadgeColor.Subtle,
    };

    public static BadgeColor HealthColor(string health) => health switch
    {
        "Healthy" => BadgeColor.Success,
        "Unhealthy" => BadgeColor.Danger,
        _ => BadgeColor.Subtle,
    };

    public static string Time(DateTimeOffset? time) => time is { } t ? t.ToLocalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) : "";
}
