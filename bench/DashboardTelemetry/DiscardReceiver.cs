using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Collector.Trace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace InterimPlatform.Bench.DashboardTelemetry;

/// <summary>
/// The baseline: the same Kestrel h2c endpoint and the same raw-bytes gRPC binding as the dashboard's receiver, with
/// the same API key check, but the request is only parsed and thrown away. Its rate is the receiver's ceiling here.
/// </summary>
internal sealed class DiscardReceiver : IAsyncDisposable
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(static bytes => bytes, static bytes => bytes);
    private readonly WebApplication _app;

    private DiscardReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<DiscardReceiver> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 64 * 1024 * 1024);
        var app = builder.Build();
        app.MapGrpcService<DiscardTraces>();
        app.MapGrpcService<DiscardLogs>();
        await app.StartAsync(cancellationToken);
        return new DiscardReceiver(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Authenticate(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(Program.HeaderName) != Program.Key)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "key"));
        }
    }

    [BindServiceMethod(typeof(DiscardTraces), nameof(BindService))]
    internal class DiscardTraces
    {
        public static void BindService(ServiceBinderBase binder, DiscardTraces? service) =>
            binder.AddMethod(new Method<byte[], ExportTraceServiceResponse>(MethodType.Unary, TraceService.Descriptor.FullName, "Export", Raw,
                    Marshallers.Create(static (ExportTraceServiceResponse r) => Google.Protobuf.MessageExtensions.ToByteArray(r), ExportTraceServiceResponse.Parser.ParseFrom)),
                (UnaryServerMethod<byte[], ExportTraceServiceResponse>)((request, context) => service!.Export(request, context)));

        public virtual Task<ExportTraceServiceResponse> Export(byte[] request, ServerCallContext context)
        {
            Authenticate(context);
            GC.KeepAlive(ExportTraceServiceRequest.Parser.ParseFrom(request));
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    [BindServiceMethod(typeof(DiscardLogs), nameof(BindService))]
    internal class DiscardLogs
    {
        public static void BindService(ServiceBinderBase binder, DiscardLogs? service) =>
            binder.AddMethod(new Method<byte[], ExportLogsServiceResponse>(MethodType.Unary, LogsService.Descriptor.FullName, "Export", Raw,
                    Marshallers.Create(static (ExportLogsServiceResponse r) => Google.Protobuf.MessageExtensions.ToByteArray(r), ExportLogsServiceResponse.Parser.ParseFrom)),
                (UnaryServerMethod<byte[], ExportLogsServiceResponse>)((request, context) => service!.Export(request, context)));

        public virtual Task<ExportLogsServiceResponse> Export(byte[] request, ServerCallContext context)
        {
            Authenticate(context);
            GC.KeepAlive(ExportLogsServiceRequest.Parser.ParseFrom(request));
            return Task.FromResult(new ExportLogsServiceResponse());
        }
    }
}
