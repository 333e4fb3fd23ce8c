using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chat.Data.Redis.RateLimiting;
using Chat.Data.Sample;
using Microsoft.AspNetCore.RateLimiting;

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
    });

// Sends are limited per chat and client address, in Redis, so every instance of the app shares the count.
builder.Services.AddRateLimiter(_ => { });
builder.Services.AddOptions<RateLimiterOptions>().Configure<IDistributedRateLimiter>((options, limiter) =>
{
    options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    options.GlobalLimiter = new RedisPartitionedRateLimiter<HttpContext>(
        limiter,
        RateLimitPolicy.TokenBucket("send-message", tokenLimit: 20, tokensPerPeriod: 5, replenishmentPeriod: TimeSpan.FromSeconds(1)),
        context => context.GetEndpoint()?.Metadata.GetMetadata<EndpointNameMetadata>()?.EndpointName == ChatEndpoints.SendMessageEndpoint
            ? $"{context.Request.RouteValues["chatId"]}:{context.Connection.RemoteIpAddress}"
            : null);
});

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ChatDataExceptionHandler>();

var app = builder.Build();

app.UseExceptionHandler();
// Bodiless errors (404, malformed JSON) get problem details too.
app.UseStatusCodePages();
app.UseRouting();
app.UseRateLimiter();
app.MapUserEndpoints();
app.MapChatEndpoints();
app.MapDocumentEndpoints();
app.MapOtpEndpoints();
app.MapHealthChecks("/health");

app.Run();
