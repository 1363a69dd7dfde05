// The InterimPlatform AppHost: a .NET Aspire AppHost that runs the app model declared in PlatformModel.cs.
using InterimPlatform.AppHost;
using InterimPlatform.Hosting.NativeServers;

var options = AppHostOptions.Parse(args);
var builder = DistributedApplication.CreateBuilder(options.WithDashboardDefaults());
if (builder.ExecutionContext.IsPublishMode)
{
    // --publisher manifest: the model a cluster runs (docs/deploy.md); no local servers, no state folder.
    ClusterModel.Declare(builder);
    await builder.Build().RunAsync();
    return 0;
}

StateFolder state;
try
{
    state = StateFolder.Acquire(options.StateDirectory);
}
catch (StateFolderInUseException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

using (state)
{
    if (options.Reset)
    {
        state.Reset();
        Console.Out.WriteLine($"Deleted all data and credentials in {state.Path}.");
    }

    PlatformModel.Declare(builder, state);
    ConsoleReport.Attach(builder, state);
    await builder.Build().RunAsync();
    return 0;
}
