namespace InterimPlatform.Dashboard.Telemetry.Storage;

/// <summary>A fixed-capacity circular buffer: adding to a full ring drops its oldest item.</summary>
internal sealed class Ring<T>(int capacity) where T : class
{
    private readonly T?[] _items = new T?[Math.Max(1, capacity)];
    private int _next;

    public int Count { get; private set; }

    /// <returns>The item dropped to make room, if any.</returns>
    public T? Add(T item)
    {
        var dropped = _items[_next];
        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        if (Count < _items.Length)
        {
            Count++;
            return null;
        }
        return dropped;
    }

    /// <summary>Newest first.</summary>
    public IEnumerable<T> NewestFirst()
    {
        for (var i = 1; i <= Count; i++)
        {
            yield return _items[(_next - i + _items.Length) % _items.Length]!;
        }
    }
}
