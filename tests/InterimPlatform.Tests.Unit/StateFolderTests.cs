using InterimPlatform.Hosting.State;

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
    public void Secrets_are_generated_once_private_and_never_defaults()
    {
        using var state = StateFolder.Acquire(_path);

        var first = state.LoadOrCreateSecrets();
        var second = state.LoadOrCreateSecrets();

        Assert.Equal(first, second);
        Assert.NotEqual("guest", first.RabbitMQUser);
        Assert.True(first.PostgresPassword.Length >= 32);
        Assert.NotEqual(first.PostgresPassword, first.RabbitMQPassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.SecretsFile));
    }

    [Fact]
    public void Reset_deletes_data_and_credentials()
    {
        using var state = StateFolder.Acquire(_path);
        var before = state.LoadOrCreateSecrets();
        Directory.CreateDirectory(state.ResourceDirectory("postgres"));

        state.Reset();

        Assert.False(Directory.Exists(state.ResourceDirectory("postgres")));
        Assert.NotEqual(before, state.LoadOrCreateSecrets());
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }
}
