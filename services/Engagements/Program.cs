using InterimPlatform.Engagements.Clients;
using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Engagements.Placement;
using InterimPlatform.Engagements.Privacy;
using InterimPlatform.Engagements.Shortlisting;
using InterimPlatform.Engagements.Sla;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Idempotency;
using InterimPlatform.Messaging.Operations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayTrust();
builder.AddServiceDbContext<EngagementsDbContext>("engagementsdb");
builder.AddIdempotencyKeys<EngagementsDbContext>();
builder.AddServiceMessaging<EngagementsDbContext>("engagements", bus =>
{
    bus.AddConsumer<ShortlistProducedConsumer>();
    bus.AddConsumer<CandidateErasedConsumer>();
});
builder.Services.Configure<SlaOptions>(builder.Configuration.GetSection("Engagements:Sla"));
builder.Services.AddScoped<EngagementDesk>();
builder.Services.AddSingleton<SlaMonitor>();
builder.Services.AddSingleton<SlaWatch>();
// Not tagged "live": a breach is for people to act on, not a reason to restart the service.
builder.Services.AddHealthChecks().AddCheck<SlaHealthCheck>("sla");
builder.Services.AddHostedService(services => services.GetRequiredService<SlaWatch>());
builder.Services.AddOpenApi(options => options.AddExamples(ApiExamples.For));

var app = builder.Build();

await app.MigrateDatabaseAsync<EngagementsDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapErrorQueueEndpoints("engagements");
app.MapClientEndpoints();
app.MapEngagementEndpoints();
app.MapShortlistingEndpoints();
app.MapPlacementEndpoints();
app.MapSlaEndpoints();

app.Run();
