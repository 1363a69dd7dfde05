using System.Text;
using InterimPlatform.Messaging.Idempotency;

namespace InterimPlatform.Tests.Unit;

public sealed class IdempotencyKeyHeaderTests
{
    [Theory]
    [InlineData("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"", "8e03978e-40d5-43e8-bc93-6894a57f9324")]
    [InlineData("  order 42 ", "order 42")]
    public void A_key_is_read_bare_or_as_the_drafts_quoted_string(string header, string key) =>
        Assert.Equal((key, null), IdempotencyKeyHeader.Parse([header]));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"\"")]
    [InlineData("tab\tinside")]
    [InlineData("quote\"inside")]
    [InlineData("nön-ascii")]
    public void A_malformed_key_is_refused_with_a_reason(string header)
    {
        var (key, error) = IdempotencyKeyHeader.Parse([header]);
        Assert.Null(key);
        Assert.Contains(IdempotencyKeyHeader.Name, error);
    }

    [Fact]
    public void A_key_may_be_255_characters_long_but_not_256()
    {
        Assert.NotNull(IdempotencyKeyHeader.Parse([new string('k', 255)]).Key);
        Assert.Contains("at most 255", IdempotencyKeyHeader.Parse([new string('k', 256)]).Error);
    }

    [Fact]
    public void Two_key_headers_are_refused() =>
        Assert.Null(IdempotencyKeyHeader.Parse(["a", "b"]).Key);

    [Fact]
    public async Task The_fingerprint_is_the_bodys_sha256_and_tells_bodies_apart()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"Nordic Foods AB"}""");
        var same = await IdempotencyKeyHeader.FingerprintAsync(new MemoryStream(body), CancellationToken.None);
        var other = await IdempotencyKeyHeader.FingerprintAsync(new MemoryStream(Encoding.UTF8.GetBytes("""{"name":"Nordic Foods ab"}""")), CancellationToken.None);

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(body), same);
        Assert.NotEqual(same, other);
    }

    [Fact]
    public void The_lock_is_per_caller_route_and_key()
    {
        var id = IdempotencyKeyHeader.LockId("anna", "/api/engagements/clients", "k1");
        Assert.Equal(id, IdempotencyKeyHeader.LockId("anna", "/api/engagements/clients", "k1"));
        Assert.NotEqual(id, IdempotencyKeyHeader.LockId("bo", "/api/engagements/clients", "k1"));
        Assert.NotEqual(id, IdempotencyKeyHeader.LockId("anna", "/api/engagements", "k1"));
        Assert.NotEqual(id, IdempotencyKeyHeader.LockId("anna", "/api/engagements/clients", "k2"));
    }
}
