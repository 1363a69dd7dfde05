using InterimPlatform.Engagements.Data;
using InterimPlatform.Engagements.Desk;
using InterimPlatform.Messaging;
using InterimPlatform.Messaging.Operations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddServiceDbContext<EngagementsDbContext>("engagementsdb");
builder.AddServiceMessaging<EngagementsDbContext>("engagements");
builder.Services.AddOpenApi(options => options.AddExamples(ApiExamples.All));

var app = builder.Build();

await app.MigrateDatabaseAsync<EngagementsDbContext>();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapErrorQueueEndpoints("engagements");
app.MapEngagementEndpoints();

app.Run();
