using System.Net;
using System.Net.Sockets;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary>Hands out free loopback ports, never the same one twice in this process.</summary>
public static class LoopbackPorts
{
    private static readonly HashSet<int> s_given = [];
    private static readonly Lock s_gate = new();

    public static int GetFreePort()
    {
        lock (s_gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (s_given.Add(port))
                {
                    return port;
                }
            }
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
