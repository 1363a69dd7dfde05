using System.Buffers.Binary;
using InterimPlatform.Contracts.Candidates.V1;
using InterimPlatform.Contracts.Matching.V1;

namespace InterimPlatform.Matching.Ranking;

/// <summary>A candidate that made the top N, with their total (the weighted sum of points).</summary>
internal readonly record struct Ranked(IndexedCandidate Candidate, long Total, bool InVetting, bool RevettingDue);

/// <summary>A ranking's explained top N, how many candidates it looked at, and how many each hard filter removed.</summary>
/// <param name="FilteredOut">By filter: excluded, vetting-rejected-or-suspended, not-vetted, vetting-expired, placed-elsewhere, missing-must-have-skills, missing-languages.</param>
public sealed record RankingOutcome(
    int Considered,
    int Eligible,
    IReadOnlyDictionary<string, int> FilteredOut,
    IReadOnlyList<ShortlistedCandidate> Candidates,
    string WeightsVersion,
    CriterionWeights Weights);

/// <summary>How one candidate fares against a brief, whether or not they would be ranked.</summary>
/// <param name="Exclusion">The hard filter that removes them (a key of <see cref="RankingOutcome.FilteredOut"/>), or null when eligible.</param>
public sealed record CandidateAssessment(ShortlistedCandidate Candidate, string? Exclusion, string? ExclusionReason);

/// <summary>The top N of a ranking, and how many candidates each hard filter removed.</summary>
internal sealed record RankingResult(PreparedBrief Brief, int Considered, int Eligible, IReadOnlyDictionary<Exclusion, int> FilteredOut, IReadOnlyList<Ranked> Top);

/// <summary>
/// Matching's in-memory index of the whole pool. Entries are immutable and live in one array that a
/// ranking scans without locks (in parallel partitions on large pools), keeping only a bounded heap of
/// the best N; writers replace entries under a lock. Ties are broken by candidate id in PostgreSQL's
/// uuid order, so a ranking is the same every time and the same as the SQL one.
/// </summary>
public sealed class CandidateIndex
{
    private const int ParallelThreshold = 50_000;

    private readonly Lock _writing = new();
    private readonly Dictionary<Guid, int> _slotById = [];
    private readonly Stack<int> _freeSlots = new();
    private IndexedCandidate?[] _slots = new IndexedCandidate?[1024];
    private int _used;

    public CandidateIndex(RankingWeights weights)
    {
        Weights = weights;
        foreach (var currency in weights.EurPerUnit.Keys)
        {
            Terms.Intern(currency.Trim().ToUpperInvariant());
        }
    }

    public Terms Terms { get; } = new();

    public RankingWeights Weights { get; }

    public int Count
    {
        get
        {
            lock (_writing)
            {
                return _slotById.Count;
            }
        }
    }

    /// <summary>Adds or replaces a candidate; a candidate without a profile (erased, or not yet known) is removed.</summary>
    public void Upsert(Guid candidateId, CandidateProfile? profile, CandidateAvailability availability, CandidateVetting vetting, IEnumerable<Placement> placements)
    {
        if (IndexedCandidate.From(candidateId, profile, availability, vetting, placements, Terms) is { } candidate)
        {
            Upsert(candidate);
        }
        else
        {
            Remove(candidateId);
        }
    }

    /// <summary>Ranks the whole pool against a brief: the top <see cref="RankingRequest.Top"/>, explained.</summary>
    public RankingOutcome Rank(RankingRequest request)
    {
        var result = RankTop(request);
        var brief = result.Brief;
        return new RankingOutcome(
            result.Considered,
            result.Eligible,
            result.FilteredOut.ToDictionary(f => Explanations.Key(f.Key), f => f.Value),
            [.. result.Top.Select((ranked, i) => Explanations.Explain(i + 1, ranked, brief, Terms))],
            Weights.Version,
            brief.WeightSet);
    }

    /// <summary>One candidate against a brief, with the filter that removes them if any (for a recruiter adding someone by hand); null when not in the index.</summary>
    public CandidateAssessment? Assess(Guid candidateId, RankingRequest request)
    {
        if (Find(candidateId) is not { } candidate)
        {
            return null;
        }

        var brief = Prepare(request);
        var exclusion = Scoring.Filter(candidate, brief, out var inVetting, out var revettingDue);
        var explained = Explanations.Explain(0, new Ranked(candidate, Scoring.Total(candidate, brief), inVetting, revettingDue), brief, Terms);
        return exclusion == Exclusion.None
            ? new CandidateAssessment(explained, null, null)
            : new CandidateAssessment(explained, Explanations.Key(exclusion), Explanations.Describe(exclusion));
    }

    internal void Upsert(IndexedCandidate candidate)
    {
        lock (_writing)
        {
            if (_slotById.TryGetValue(candidate.Id, out var slot))
            {
                Volatile.Write(ref _slots[slot], candidate);
                return;
            }

            if (!_freeSlots.TryPop(out slot))
            {
                if (_used == _slots.Length)
                {
                    var grown = new IndexedCandidate?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _used);
                    Volatile.Write(ref _slots, grown);
                }

                slot = _used;
                Volatile.Write(ref _slots[slot], candidate);
                Volatile.Write(ref _used, _used + 1);
            }
            else
            {
                Volatile.Write(ref _slots[slot], candidate);
            }

            _slotById[candidate.Id] = slot;
        }
    }

    public bool Remove(Guid candidateId)
    {
        lock (_writing)
        {
            if (!_slotById.Remove(candidateId, out var slot))
            {
                return false;
            }

            Volatile.Write(ref _slots[slot], null);
            _freeSlots.Push(slot);
            return true;
        }
    }

    /// <summary>The ids indexed right now: what a reconciliation compares with the database to find entries left behind.</summary>
    public IReadOnlyCollection<Guid> Ids()
    {
        lock (_writing)
        {
            return [.. _slotById.Keys];
        }
    }

    internal IndexedCandidate? Find(Guid candidateId)
    {
        lock (_writing)
        {
            return _slotById.TryGetValue(candidateId, out var slot) ? _slots[slot] : null;
        }
    }

    internal PreparedBrief Prepare(RankingRequest request) => PreparedBrief.Prepare(request, Weights, Terms);

    internal RankingResult RankTop(RankingRequest request)
    {
        var brief = Prepare(request);
        var slots = Volatile.Read(ref _slots);
        var used = Math.Min(Volatile.Read(ref _used), slots.Length);
        var partitions = used >= ParallelThreshold ? Environment.ProcessorCount : 1;
        var scans = new Scan[partitions];
        if (partitions == 1)
        {
            scans[0] = Scan.Run(slots, 0, used, brief);
        }
        else
        {
            var size = (used + partitions - 1) / partitions;
            Parallel.For(0, partitions, p => scans[p] = Scan.Run(slots, p * size, Math.Min(used, (p + 1) * size), brief));
        }

        var filtered = new Dictionary<Exclusion, int>();
        var best = new TopN(request.Top);
        int considered = 0, eligible = 0;
        foreach (var scan in scans)
        {
            considered += scan.Considered;
            eligible += scan.Eligible;
            for (var i = 1; i < scan.Filtered.Length; i++)
            {
                if (scan.Filtered[i] > 0)
                {
                    filtered[(Exclusion)i] = filtered.GetValueOrDefault((Exclusion)i) + scan.Filtered[i];
                }
            }

            foreach (var ranked in scan.Top.Items)
            {
                best.Offer(ranked);
            }
        }

        return new RankingResult(brief, considered, eligible, filtered, best.Sorted());
    }

    /// <summary>Orders by total, highest first, then by candidate id as PostgreSQL orders uuids.</summary>
    internal static int Compare(in Ranked x, in Ranked y)
    {
        var byTotal = y.Total.CompareTo(x.Total);
        return byTotal != 0 ? byTotal : CompareIds(x.Candidate.Id, y.Candidate.Id);
    }

    public static int CompareIds(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return BinaryPrimitives.ReadUInt64BigEndian(a) != BinaryPrimitives.ReadUInt64BigEndian(b)
            ? BinaryPrimitives.ReadUInt64BigEndian(a).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(b))
            : BinaryPrimitives.ReadUInt64BigEndian(a[8..]).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(b[8..]));
    }

    private sealed class Scan
    {
        public int Considered;
        public int Eligible;
        public readonly int[] Filtered = new int[Enum.GetValues<Exclusion>().Length];
        public required TopN Top { get; init; }

        public static Scan Run(IndexedCandidate?[] slots, int from, int to, PreparedBrief brief)
        {
            var scan = new Scan { Top = new TopN(brief.Request.Top) };
            for (var i = from; i < to; i++)
            {
                var candidate = Volatile.Read(ref slots[i]);
                if (candidate is null)
                {
                    continue;
                }

                scan.Considered++;
                var exclusion = Scoring.Filter(candidate, brief, out var inVetting, out var revettingDue);
                if (exclusion != Exclusion.None)
                {
                    scan.Filtered[(int)exclusion]++;
                    continue;
                }

                scan.Eligible++;
                var total = Scoring.Total(candidate, brief);
                if (scan.Top.WouldTake(total))
                {
                    scan.Top.Offer(new Ranked(candidate, total, inVetting, revettingDue));
                }
            }

            return scan;
        }
    }

    /// <summary>A bounded min-heap: its root is the worst of the best N kept so far.</summary>
    private sealed class TopN(int capacity)
    {
        private readonly Ranked[] _heap = new Ranked[Math.Max(capacity, 0)];
        private int _count;

        public IEnumerable<Ranked> Items => _heap.Take(_count);

        /// <summary>Cheap pre-check on the total alone, before building the entry to offer.</summary>
        public bool WouldTake(long total) => _count < _heap.Length || (_heap.Length > 0 && total >= _heap[0].Total);

        public void Offer(Ranked ranked)
        {
            if (_heap.Length == 0)
            {
                return;
            }

            if (_count < _heap.Length)
            {
                _heap[_count] = ranked;
                SiftUp(_count++);
            }
            else if (Compare(ranked, _heap[0]) < 0)
            {
                _heap[0] = ranked;
                SiftDown(0);
            }
        }

        public List<Ranked> Sorted()
        {
            var list = _heap.Take(_count).ToList();
            list.Sort((x, y) => Compare(x, y));
            return list;
        }

        // Heap order: a parent ranks after (is worse than) its children.
        private void SiftUp(int i)
        {
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (Compare(_heap[i], _heap[parent]) <= 0)
                {
                    return;
                }

                (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
                i = parent;
            }
        }

        private void SiftDown(int i)
        {
            while (true)
            {
                var left = 2 * i + 1;
                if (left >= _count)
                {
                    return;
                }

                var worst = left + 1 < _count && Compare(_heap[left + 1], _heap[left]) > 0 ? left + 1 : left;
                if (Compare(_heap[worst], _heap[i]) <= 0)
                {
                    return;
                }

                (_heap[i], _heap[worst]) = (_heap[worst], _heap[i]);
                i = worst;
            }
        }
    }
}
