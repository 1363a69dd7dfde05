// The InterimPlatform AppHost: runs the app model declared in PlatformModel.cs.
// The engine behind it is ../Hosting (no Aspire package is obtainable here).
using InterimPlatform.AppHost;
using InterimPlatform.Hosting;

var builder = DistributedApplication.CreateBuilder(args);
PlatformModel.Declare(builder);
builder.Build().Run();
