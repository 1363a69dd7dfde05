using System.Net.Http;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace InterimPlatform.Gateway.Proxy;

/// <summary>
/// When a service runs as several replicas and the one picked refuses the connection (it crashed or is
/// restarting), the request goes to another replica instead of failing. Only a refused connection is
/// retried: the request never left the gateway, so even a POST cannot be applied twice. Health checks take
/// the dead replica out of the rotation within seconds; this covers the requests in between.
/// </summary>
internal static class ReplicaFailover
{
    public static async Task RetryRefusedConnectionAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var tried = new HashSet<DestinationState>();
        while (true)
        {
            await next();
            if (proxy.ProxiedDestination is not { } failed || !WasRefused(context))
            {
                return;
            }

            tried.Add(failed);
            var untried = proxy.AllDestinations.Where(d => !tried.Contains(d)).ToList();
            var other = untried.FirstOrDefault(d => d.Health is { Active: not DestinationHealth.Unhealthy, Passive: not DestinationHealth.Unhealthy })
                ?? untried.FirstOrDefault();
            if (other is null)
            {
                return;
            }

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = [other];
        }
    }

    private static bool WasRefused(HttpContext context) =>
        !context.Response.HasStarted
        && context.GetForwarderErrorFeature() is { Error: ForwarderError.Request, Exception: var exception }
        && FindSocketError(exception) == SocketError.ConnectionRefused;

    private static SocketError? FindSocketError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }
}
