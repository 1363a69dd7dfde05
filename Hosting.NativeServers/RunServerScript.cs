using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace InterimPlatform.Hosting.NativeServers;

/// <summary><c>run-server.sh</c>, which runs a server under DCP with the stop signal the server needs.</summary>
internal static class RunServerScript
{
    private static readonly string s_path = Path.Combine(AppContext.BaseDirectory, "run-server.sh");

    /// <summary>Runs the resource through the script: a stop sends the server <paramref name="stopSignal"/>.</summary>
    public static IResourceBuilder<T> WithRunServerScript<T>(this IResourceBuilder<T> builder, string stopSignal)
        where T : ExecutableResource =>
        builder.WithArgs(context =>
        {
            context.Args.Insert(0, s_path);
            context.Args.Insert(1, stopSignal);
        });
}
