using System.Net;
using System.Net.Sockets;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>
/// Hands out free loopback ports for servers and services to listen on, never the same one twice on this machine
/// while it may still be waiting to be bound.
/// </summary>
/// <remarks>
/// A port is chosen long before it is bound (a service starts once its database and broker are up), so "free now"
/// is not enough: two platforms starting side by side (the tests run several) were handed the same port by the
/// kernel, and one service answered the other's health checks while the other failed to bind. So ports come from
/// below the kernel's ephemeral range (outgoing connections never take them) and each is reserved for a while
/// by a file that every process of this machine honours.
/// </remarks>
public static class LoopbackPorts
{
    /// <summary>The range handed out: below Linux's default ephemeral range (32768–60999).</summary>
    public const int FirstPort = 20000, LastPort = 32767;

    /// <summary>How long a reservation holds: longer than any start waits before binding what it was given.</summary>
    public static readonly TimeSpan ReservationLifetime = TimeSpan.FromMinutes(10);

    private static readonly HashSet<int> s_given = [];
    private static readonly Lock s_gate = new();

    /// <summary>Where reservations are kept: one file per port, shared by every process on the machine.</summary>
    public static string ReservationDirectory { get; } = Path.Combine(Path.GetTempPath(), "interimplatform-ports");

    public static int GetFreePort()
    {
        lock (s_gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(FirstPort, LastPort + 1);
                if (!s_given.Contains(port) && IsFree(port) && TryReserve(port, TimeProvider.System))
                {
                    s_given.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"No free loopback port between {FirstPort} and {LastPort}.");
        }
    }

    /// <summary>Reserves <paramref name="port"/> for this process, unless another holds a reservation younger than its lifetime.</summary>
    public static bool TryReserve(int port, TimeProvider time)
    {
        Directory.CreateDirectory(ReservationDirectory);
        var file = Path.Combine(ReservationDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var now = time.GetUtcNow().UtcDateTime;
        if (File.Exists(file))
        {
            if (now - File.GetLastWriteTimeUtc(file) < ReservationLifetime)
            {
                return false;
            }

            File.Delete(file);
        }

        try
        {
            // CreateNew: of two processes that found the same stale reservation, one wins.
            using (var reservation = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
            {
                reservation.Write(BitConverter.GetBytes(Environment.ProcessId));
            }

            // After closing: the close's flush would stamp the machine's time over this one.
            File.SetLastWriteTimeUtc(file, now);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
