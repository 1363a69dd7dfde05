using System.Collections.Concurrent;

namespace InterimPlatform.Matching.Ranking;

/// <summary>
/// Interns the free-text values of profiles (skills, industries, countries, currencies) as small integers,
/// so the index holds each candidate's values as a few ints and compares them without touching strings.
/// </summary>
public sealed class Terms
{
    /// <summary>The id of a term nobody has: a brief asking for it matches no one.</summary>
    public const int Unknown = -2;

    /// <summary>The id of "not stated".</summary>
    public const int None = -1;

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Lock _adding = new();
    private string[] _names = new string[1024];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The id of a term, adding it when new.</summary>
    public int Intern(string term)
    {
        if (_ids.TryGetValue(term, out var id))
        {
            return id;
        }

        lock (_adding)
        {
            if (_ids.TryGetValue(term, out id))
            {
                return id;
            }

            if (_count == _names.Length)
            {
                Array.Resize(ref _names, _count * 2);
            }

            id = _count;
            _names[id] = term;
            Volatile.Write(ref _count, id + 1);
            _ids[term] = id;
            return id;
        }
    }

    /// <summary>The id of a term a brief asks for, without adding it: <see cref="Unknown"/> when no profile has it.</summary>
    public int Find(string term) => _ids.TryGetValue(term, out var id) ? id : Unknown;

    public string Name(int id) => Volatile.Read(ref _names)[id];

    /// <summary>Skills and industries are compared trimmed and in lower case, as Candidates stores them.</summary>
    public static string Normalise(string value) => value.Trim().ToLowerInvariant();
}
