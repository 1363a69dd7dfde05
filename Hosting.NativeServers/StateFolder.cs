using System.Security.Cryptography;
using System.Text.Json;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>
/// The AppHost's git-ignored state folder: data directories, generated credentials and logs.
/// One AppHost at a time holds its lock; a second one is told so instead of sharing the data directories.
/// </summary>
public sealed class StateFolder : IDisposable
{
    private const string LockFileName = "apphost.lock";
    private const string PidFileName = "apphost.pid";
    private readonly FileStream _lock;

    private StateFolder(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    private readonly Lock _credentialsLock = new();

    public string Path { get; }

    /// <summary>Takes the folder's lock (creating the folder), or throws <see cref="StateFolderInUseException"/>.</summary>
    public static StateFolder Acquire(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(path);
        FileStream stream;
        try
        {
            // .NET takes an exclusive advisory lock (flock) for FileShare.None on Unix; the kernel drops
            // it when the process dies, however it dies, so a stale lock never blocks the next start.
            stream = new FileStream(System.IO.Path.Combine(path, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var pidFile = System.IO.Path.Combine(path, PidFileName);
            var owner = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "unknown";
            throw new StateFolderInUseException(path, owner);
        }

        File.WriteAllText(System.IO.Path.Combine(path, PidFileName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new StateFolder(path, stream);
    }

    /// <summary>A resource's own folder inside the state folder.</summary>
    public string ResourceDirectory(string resourceName) => System.IO.Path.Combine(Path, resourceName);

    /// <summary>Deletes every resource's data and the generated credentials (the AppHost's <c>--reset</c>).</summary>
    public void Reset()
    {
        foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos())
        {
            if (entry.Name is LockFileName or PidFileName)
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>
    /// Passwords for named accounts (partner users, for example), generated on first use and kept in
    /// <paramref name="fileName"/> (mode 600) to be handed to whoever owns each account.
    /// </summary>
    public IReadOnlyDictionary<string, string> LoadOrCreateCredentials(string fileName, IEnumerable<string> accounts, Func<string, string>? generate = null)
    {
        // Resources start in parallel and several read the same file (the gateway's signing key): one at a
        // time, so the first creates it and the others read what it created.
        lock (_credentialsLock)
        {
            return LoadOrCreate(fileName, accounts, generate);
        }
    }

    private IReadOnlyDictionary<string, string> LoadOrCreate(string fileName, IEnumerable<string> accounts, Func<string, string>? generate)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        var credentials = File.Exists(file)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? []
            : [];
        var added = false;
        foreach (var account in accounts)
        {
            if (!credentials.ContainsKey(account))
            {
                credentials[account] = generate?.Invoke(account) ?? GeneratedSecret.Create();
                added = true;
            }
        }

        if (added || !File.Exists(file))
        {
            PrivateFile.Write(file, JsonSerializer.Serialize(credentials, new JsonSerializerOptions { WriteIndented = true }));
        }

        return credentials;
    }

    public void Dispose()
    {
        File.Delete(System.IO.Path.Combine(Path, PidFileName));
        _lock.Dispose();
    }
}

/// <summary>Secrets generated once per installation and kept in the state folder, never committed.</summary>
public static class GeneratedSecret
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A random password of letters and digits only, so it needs no escaping in URIs, connection strings or config files.</summary>
    public static string Create(int length = 32) => RandomNumberGenerator.GetString(Alphabet, length);
}

public sealed class StateFolderInUseException(string path, string ownerProcessId)
    : Exception($"Another AppHost (process {ownerProcessId}) is already running with the state folder {path}. Stop it first, or start this one with a different --state-dir.");
