using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Tests.Unit;

public sealed class StateFolderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "interim-state-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_second_owner_is_refused_while_the_first_holds_the_folder()
    {
        using var first = StateFolder.Acquire(_path);

        var refused = Assert.Throws<StateFolderInUseException>(() => StateFolder.Acquire(_path));
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_folder_can_be_taken_again_once_released()
    {
        StateFolder.Acquire(_path).Dispose();

        using var again = StateFolder.Acquire(_path);
        Assert.Equal(Path.GetFullPath(_path), again.Path);
    }

    [Fact]
    public void Secrets_are_generated_once_private_different_and_never_defaults()
    {
        using var state = StateFolder.Acquire(_path);

        var first = state.LoadOrCreateCredentials("secrets.json", ["postgres-password", "messaging-password"]);
        var second = state.LoadOrCreateCredentials("secrets.json", ["postgres-password", "messaging-password"]);

        Assert.Equal(first, second);
        Assert.All(first.Values, secret => Assert.True(secret.Length >= 32));
        Assert.DoesNotContain("guest", first.Values);
        Assert.NotEqual(first["postgres-password"], first["messaging-password"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(state.Path, "secrets.json")));
    }

    [Fact]
    public void An_account_added_later_gets_its_own_secret_and_the_others_keep_theirs()
    {
        using var state = StateFolder.Acquire(_path);
        var before = state.LoadOrCreateCredentials("partners.json", ["globalise"]);

        var after = state.LoadOrCreateCredentials("partners.json", ["globalise", "nordic-interim"]);

        Assert.Equal(before["globalise"], after["globalise"]);
        Assert.NotEqual(after["globalise"], after["nordic-interim"]);
    }

    [Fact]
    public void Reset_deletes_data_and_credentials()
    {
        using var state = StateFolder.Acquire(_path);
        var before = state.LoadOrCreateCredentials("secrets.json", ["postgres-password"]);
        Directory.CreateDirectory(state.ResourceDirectory("postgres"));

        state.Reset();

        Assert.False(Directory.Exists(state.ResourceDirectory("postgres")));
        Assert.NotEqual(before, state.LoadOrCreateCredentials("secrets.json", ["postgres-password"]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }
}
