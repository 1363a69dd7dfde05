using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace InterimPlatform.Gateway.Proxy;

/// <summary>
/// Resolves a cluster destination such as <c>http://candidates</c> through .NET service discovery
/// (<c>services__candidates__http__0</c> from the AppHost), so no port is written into the gateway's
/// configuration. (Microsoft.Extensions.ServiceDiscovery.Yarp, now served, does the same; moving to it waits on
/// checking that it keeps the per-instance health checks and the failover in <c>ReplicaFailover</c>.)
/// </summary>
internal sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var changeTokens = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            var address = new Uri(destination.Address);
            var source = await resolver.GetEndpointsAsync(address.GetLeftPart(UriPartial.Authority), cancellationToken);
            changeTokens.Add(source.ChangeToken);
            foreach (var endpoint in source.Endpoints)
            {
                var text = endpoint.ToString()!;
                var target = new Uri(text.Contains("://", StringComparison.Ordinal) ? text : $"{address.Scheme}://{text}");
                var builder = new UriBuilder(address) { Scheme = target.Scheme, Host = target.Host, Port = target.Port };
                resolved[$"{name}[{text}]"] = destination with { Address = builder.Uri.ToString() };
            }
        }

        return new ResolvedDestinationCollection(resolved, new CompositeChangeToken(changeTokens));
    }
}
