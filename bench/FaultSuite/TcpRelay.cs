using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace InterimPlatform.Bench.FaultSuite;

/// <summary>
/// A loopback TCP relay between a service and a server (PostgreSQL or RabbitMQ), in the manner of Toxiproxy:
/// it can drop every connection at once (a reset, as when a network path fails) or stall them (bytes stop
/// moving in both directions) for a while.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int> _targetPort;
    private readonly ConcurrentDictionary<Pipe, byte> _pipes = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile TaskCompletionSource _flowing = Flowing();
    private readonly Task _accepting;

    public TcpRelay(string name, Func<int> targetPort)
    {
        Name = name;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => _pipes.Count;

    /// <summary>Resets every open connection; new ones are accepted as before.</summary>
    public int DropAll()
    {
        var dropped = 0;
        foreach (var pipe in _pipes.Keys)
        {
            pipe.Reset();
            dropped++;
        }

        return dropped;
    }

    /// <summary>Stops moving bytes for <paramref name="duration"/>; connections stay open, then flow again.</summary>
    public async Task StallAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await Task.Delay(duration, cancellationToken);
        }
        finally
        {
            _flowing.TrySetResult();
        }
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort(), _stopping.Token);
        }
        catch (Exception)
        {
            // The server is down: the client sees its connection refused-like reset, as it would without the relay.
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            server.Dispose();
            return;
        }

        var pipe = new Pipe(client, server);
        _pipes[pipe] = 0;
        try
        {
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        finally
        {
            pipe.Reset();
            _pipes.TryRemove(pipe, out _);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                await _flowing.Task.WaitAsync(_stopping.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception)
        {
            // Reset by a drop, or by either side: the other pump ends with it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
    }

    /// <summary>One relayed connection: both sockets, reset together.</summary>
    private sealed class Pipe(Socket client, Socket server)
    {
        public void Reset()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Dispose();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }
}
