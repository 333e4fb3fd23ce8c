using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Data.Sample;

var builder = WebApplication.CreateBuilder(args);

// Read eagerly so a missing setting stops the app here, not on the first request.
var connectionString = builder.Configuration.GetConnectionString("ChatData")
    ?? throw new InvalidOperationException("Set ConnectionStrings:ChatData in appsettings.json or the ConnectionStrings__ChatData environment variable.");

builder.Services.AddChatData(o =>
{
    o.ConnectionString = connectionString;
    o.RunMigrationsOnStartup = true;
});
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ChatDataExceptionHandler>();

var app = builder.Build();

app.UseExceptionHandler();
// Bodiless errors (404, malformed JSON) get problem details too.
app.UseStatusCodePages();
app.MapUserEndpoints();
app.MapHealthChecks("/health");

app.Run();
