using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Sample;
using Chat.Data.Sample.Live;
using Microsoft.AspNetCore.RateLimiting;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// Read eagerly so a missing setting stops the app here, not on the first request.
var connectionString = builder.Configuration.GetConnectionString("ChatData")
    ?? throw new InvalidOperationException("Set ConnectionStrings:ChatData in appsettings.json or the ConnectionStrings__ChatData environment variable.");
var redis = builder.Configuration.GetConnectionString("Redis")
    ?? throw new InvalidOperationException("Set ConnectionStrings:Redis in appsettings.json or the ConnectionStrings__Redis environment variable.");

builder.Services.AddChatData(o =>
    {
        o.ConnectionString = connectionString;
        o.RunMigrationsOnStartup = true;
    })
    .AddRedis(o =>
    {
        o.Configuration = redis;
        // Keep the real key in a secret store; a key made per process is enough for one sample instance.
        o.Otp.HmacKey = builder.Configuration["ChatData:OtpHmacKey"] is { } key ? Convert.FromBase64String(key) : RandomNumberGenerator.GetBytes(32);
    })
    // The documents package: its repositories, and its tables migrated after the chat core's.
    .AddDocuments();

builder.Services.AddSingleton<LiveEvents>();
builder.Services.AddSingleton<LiveStream>();
builder.AddSampleTelemetry();

// Sends are limited per chat and client address, in Redis, so every instance of the app shares the count.
builder.Services.AddRateLimiter(_ => { });
builder.Services.AddOptions<RateLimiterOptions>().Configure<IDistributedRateLimiter>((options, limiter) =>
{
    options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    options.GlobalLimiter = new RedisPartitionedRateLimiter<HttpContext>(
        limiter,
        RateLimitPolicy.TokenBucket("send-message", tokenLimit: 20, tokensPerPeriod: 5, replenishmentPeriod: TimeSpan.FromSeconds(1)),
        context => context.GetEndpoint()?.Metadata.GetMetadata<EndpointNameMetadata>()?.EndpointName == MessageEndpoints.SendMessageEndpoint
            ? $"{context.Request.RouteValues["chatId"]}:{context.Connection.RemoteIpAddress}"
            : null);
});

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ChatDataExceptionHandler>();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
// Bodiless errors (404, malformed JSON) get problem details too.
app.UseStatusCodePages();
// The chat page: wwwroot/index.html with its script and style.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRouting();
app.UseRateLimiter();
app.MapUserEndpoints();
app.MapContactEndpoints();
app.MapBlockEndpoints();
app.MapMessageRequestEndpoints();
app.MapChatEndpoints();
app.MapMessageEndpoints();
app.MapReactionEndpoints();
app.MapAttachmentEndpoints();
app.MapReadStateEndpoints();
app.MapLiveEndpoints();
app.MapDocumentEndpoints();
app.MapOtpEndpoints();
app.MapHealthChecks("/health");
// The OpenAPI document at /openapi/v1.json, and a page to browse and try it at /scalar.
app.MapOpenApi();
// Everything it needs is served from here: no fonts from a CDN, no AI chat, no usage telemetry.
app.MapScalarApiReference(options => options
    .WithTitle("Chat.Data sample API")
    .DisableDefaultFonts()
    .DisableAgent()
    .DisableTelemetry()
    .HideDeveloperTools());

app.Run();
