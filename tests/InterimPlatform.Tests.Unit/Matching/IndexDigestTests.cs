using InterimPlatform.Matching.Shortlists;

namespace InterimPlatform.Tests.Unit.Matching;

/// <summary>The index's id digest tells the same candidates from merely as many.</summary>
public sealed class IndexDigestTests
{
    private static readonly Guid[] Pool = [.. Enumerable.Range(1, 50).Select(i => new Guid($"0193f1a2-0000-7000-8000-{i:D12}"))];

    [Fact]
    public void The_same_ids_in_any_order_have_the_same_digest()
    {
        Assert.Equal(IndexView.Digest(Pool), IndexView.Digest(Pool.Reverse()));
    }

    [Fact]
    public void One_id_missing_and_another_in_its_place_changes_the_digest()
    {
        var swapped = Pool.Skip(1).Append(Guid.Parse("0193f1a2-0000-7000-8000-999999999999"));

        Assert.NotEqual(IndexView.Digest(Pool), IndexView.Digest(swapped));
        Assert.Equal(16, IndexView.Digest(Pool).Length);
    }
}
