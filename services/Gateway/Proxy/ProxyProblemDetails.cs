using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace InterimPlatform.Gateway.Proxy;

/// <summary>
/// Turns a failed forward (service down, no destination, timeout) into an RFC 9457 problem that names the
/// service, instead of YARP's empty 502/503 body.
/// </summary>
internal static class ProxyProblemDetails
{
    public static async Task WriteProblemOnFailureAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.Response.HasStarted || context.Response.StatusCode < 500)
        {
            return;
        }

        var error = context.GetForwarderErrorFeature();
        var service = context.GetReverseProxyFeature()?.Cluster.Config.ClusterId ?? "the service";
        var (status, title) = error?.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, $"{service} did not answer in time."),
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, $"{service} is not available."),
            null when context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable => (StatusCodes.Status503ServiceUnavailable, $"{service} is not available."),
            null => (0, ""),
            _ => (StatusCodes.Status502BadGateway, $"{service} could not be reached."),
        };
        if (status == 0)
        {
            return; // a 5xx the service itself answered, with its own body
        }

        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = "The gateway could not complete the request; other services are unaffected. Try again shortly.",
                Extensions = { ["service"] = service },
            },
        });
    }
}
