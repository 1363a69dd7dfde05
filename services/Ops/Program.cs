using InterimPlatform.Ops;
using InterimPlatform.Ops.Access;
using InterimPlatform.Ops.Components;
using Microsoft.FluentUI.AspNetCore.Components;

var builder = WebApplication.CreateBuilder(args);

// Refuses to start without Ops__LoginToken, or listening beyond loopback (OpsOptions says what each variable does).
var options = OpsOptions.Read(builder.Configuration);

builder.AddServiceDefaults();
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<OpsAccess>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddFluentUIComponents();
builder.Services.AddOpsPages(options.ConfigureMessaging, options.ConfigureBusiness);

var app = builder.Build();

app.MapDefaultEndpoints();
var access = app.Services.GetRequiredService<OpsAccess>();
app.Use((context, next) => access.InvokeAsync(context, next));
app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
