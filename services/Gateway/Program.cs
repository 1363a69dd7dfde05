using InterimPlatform.Gateway.Proxy;
using Yarp.ReverseProxy.ServiceDiscovery;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReverseProxy(proxy => proxy.Use(ProxyProblemDetails.WriteProblemOnFailureAsync));

app.Run();
