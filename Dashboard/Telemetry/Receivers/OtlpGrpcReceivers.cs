using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using InterimPlatform.Dashboard.Otlp.Collector.Logs;
using InterimPlatform.Dashboard.Otlp.Collector.Metrics;
using InterimPlatform.Dashboard.Otlp.Collector.Trace;

namespace InterimPlatform.Dashboard.Telemetry.Receivers;

/// <summary>
/// The OTLP/gRPC collector services. They are bound with a pass-through request marshaller rather than the generated
/// base classes, so the request's bytes reach the store as they came: parsed once for memory, written as they are to disk.
/// </summary>
internal static class OtlpGrpcMethods
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(static bytes => bytes, static bytes => bytes);

    public static Method<byte[], TResponse> Export<TResponse>(string service, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse> =>
        new(MethodType.Unary, service, "Export", Raw, Marshallers.Create(static (TResponse response) => response.ToByteArray(), parser.ParseFrom));

    public static async Task<TResponse> ReceiveAsync<TResponse>(TelemetryStore store, OtlpApiKey key, TelemetrySignal signal, byte[] request,
        ServerCallContext context, TResponse response)
    {
        if (!key.Accepts(context.RequestHeaders.GetValue(OtlpApiKey.HeaderName)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"Missing or wrong {OtlpApiKey.HeaderName} header."));
        }
        try
        {
            await store.IngestAsync(signal, request, context.CancellationToken);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Not an OTLP {signal} export request: {exception.Message}"));
        }
        return response;
    }
}

// Not sealed, Export virtual: Grpc.AspNetCore binds only a virtual method declared by the type named in BindServiceMethod.
[BindServiceMethod(typeof(OtlpTraceReceiver), nameof(BindService))]
internal class OtlpTraceReceiver(TelemetryStore store, OtlpApiKey key)
{
    private static readonly ExportTraceServiceResponse Accepted = new();

    public static void BindService(ServiceBinderBase binder, OtlpTraceReceiver? service) =>
        binder.AddMethod(OtlpGrpcMethods.Export(TraceService.Descriptor.FullName, ExportTraceServiceResponse.Parser),
            (UnaryServerMethod<byte[], ExportTraceServiceResponse>)((request, context) => service!.Export(request, context)));

    public virtual Task<ExportTraceServiceResponse> Export(byte[] request, ServerCallContext context) =>
        OtlpGrpcMethods.ReceiveAsync(store, key, TelemetrySignal.Traces, request, context, Accepted);
}

[BindServiceMethod(typeof(OtlpLogsReceiver), nameof(BindService))]
internal class OtlpLogsReceiver(TelemetryStore store, OtlpApiKey key)
{
    private static readonly ExportLogsServiceResponse Accepted = new();

    public static void BindService(ServiceBinderBase binder, OtlpLogsReceiver? service) =>
        binder.AddMethod(OtlpGrpcMethods.Export(LogsService.Descriptor.FullName, ExportLogsServiceResponse.Parser),
            (UnaryServerMethod<byte[], ExportLogsServiceResponse>)((request, context) => service!.Export(request, context)));

    public virtual Task<ExportLogsServiceResponse> Export(byte[] request, ServerCallContext context) =>
        OtlpGrpcMethods.ReceiveAsync(store, key, TelemetrySignal.Logs, request, context, Accepted);
}

[BindServiceMethod(typeof(OtlpMetricsReceiver), nameof(BindService))]
internal class OtlpMetricsReceiver(TelemetryStore store, OtlpApiKey key)
{
    private static readonly ExportMetricsServiceResponse Accepted = new();

    public static void BindService(ServiceBinderBase binder, OtlpMetricsReceiver? service) =>
        binder.AddMethod(OtlpGrpcMethods.Export(MetricsService.Descriptor.FullName, ExportMetricsServiceResponse.Parser),
            (UnaryServerMethod<byte[], ExportMetricsServiceResponse>)((request, context) => service!.Export(request, context)));

    public virtual Task<ExportMetricsServiceResponse> Export(byte[] request, ServerCallContext context) =>
        OtlpGrpcMethods.ReceiveAsync(store, key, TelemetrySignal.Metrics, request, context, Accepted);
}
