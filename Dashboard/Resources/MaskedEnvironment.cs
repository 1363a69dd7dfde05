namespace InterimPlatform.Dashboard.Resources;

/// <summary>
/// A resource's environment as the details page shows it: every value masked (connection strings, API keys
/// and signing keys are all in there) until it is revealed one at a time. The mask does not give away the
/// value's length.
/// </summary>
public sealed class MaskedEnvironment(IReadOnlyDictionary<string, string> environment)
{
    public const string Mask = "••••••••";

    private readonly HashSet<string> _revealed = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Names { get; } = [.. environment.Keys.Order(StringComparer.Ordinal)];

    public bool IsRevealed(string name) => _revealed.Contains(name);

    /// <summary>The value to show: the mask unless <paramref name="name"/> was revealed; an empty value shows empty.</summary>
    public string Display(string name) =>
        !environment.TryGetValue(name, out var value) ? "" :
        value.Length == 0 || _revealed.Contains(name) ? value : Mask;

    public void Toggle(string name)
    {
        if (!_revealed.Remove(name) && environment.ContainsKey(name))
        {
            _revealed.Add(name);
        }
    }
}
