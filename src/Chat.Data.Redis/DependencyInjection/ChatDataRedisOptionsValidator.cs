using Chat.Data.Redis.RateLimiting;
using Chat.Data.Redis.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Data.Redis.DependencyInjection;

/// <summary>Checks the options when the host starts, with messages that say what to set.</summary>
internal sealed class ChatDataRedisOptionsValidator(IServiceProviderIsService services) : IValidateOptions<ChatDataRedisOptions>
{
    private const string Name = "ChatData.Redis";

    public ValidateOptionsResult Validate(string? name, ChatDataRedisOptions options)
    {
        var failures = new List<string>();
        void Fail(string message) => failures.Add($"{Name}: {message}");

        // The connection rule: a Configuration means Chat.Data connects on its own; without one, it shares the registered IConnectionMultiplexer.
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            if (!services.IsService(typeof(IConnectionMultiplexer)))
                Fail("set ChatDataRedisOptions.Configuration (for example \"localhost:6379\") or register an IConnectionMultiplexer in the container.");
            else if (options.ConfigureConnection is not null)
                Fail("ChatDataRedisOptions.ConfigureConnection is set without a Configuration, so Chat.Data shares the registered IConnectionMultiplexer as it is and would never call it; configure that multiplexer where you create it, or set ChatDataRedisOptions.Configuration for a connection of Chat.Data's own.");
        }
        else
        {
            try
            {
                if (ConfigurationOptions.Parse(options.Configuration).EndPoints.Count == 0)
                    Fail($"ChatDataRedisOptions.Configuration '{options.Configuration}' names no server (for example \"localhost:6379\").");
            }
            catch (ArgumentException ex)
            {
                Fail($"ChatDataRedisOptions.Configuration is not a valid StackExchange.Redis configuration: {ex.Message}");
            }
        }

        if (options.KeyPrefix is null || options.KeyPrefix.Length > 64 || options.KeyPrefix.Any(c => c is '{' or '}' || char.IsWhiteSpace(c) || char.IsControl(c)))
            Fail($"ChatDataRedisOptions.KeyPrefix '{options.KeyPrefix}' must be at most 64 characters without braces, spaces or control characters (default \"chat:\").");

        var otp = options.Otp;
        if (otp.HmacKey is not { Length: >= 32 })
            Fail("set ChatDataRedisOptions.Otp.HmacKey to at least 32 random bytes (for example RandomNumberGenerator.GetBytes(32), kept in your secret store; Base64 in configuration).");
        if (otp.Digits is < 4 or > 10)
            Fail($"ChatDataRedisOptions.Otp.Digits must be from 4 to 10 ({otp.Digits} given).");
        if (otp.MaxAttempts < 1)
            Fail($"ChatDataRedisOptions.Otp.MaxAttempts must be at least 1 ({otp.MaxAttempts} given).");
        if (otp.SendLimit < 1)
            Fail($"ChatDataRedisOptions.Otp.SendLimit must be at least 1 ({otp.SendLimit} given).");
        Positive(otp.CodeLifetime, "Otp.CodeLifetime", Fail);
        Positive(otp.SendWindow, "Otp.SendWindow", Fail);
        if (otp.ResendCooldown < TimeSpan.Zero)
            Fail($"ChatDataRedisOptions.Otp.ResendCooldown must not be negative ({otp.ResendCooldown} given).");
        if (otp.SendWindow < otp.ResendCooldown)
            Fail($"ChatDataRedisOptions.Otp.SendWindow ({otp.SendWindow}) must be at least Otp.ResendCooldown ({otp.ResendCooldown}): the window remembers the last send.");

        Positive(options.Presence.DeviceTtl, "Presence.DeviceTtl", Fail);
        Positive(options.Presence.LastSeenRetention, "Presence.LastSeenRetention", Fail);
        Positive(options.Typing.Ttl, "Typing.Ttl", Fail);
        Positive(options.Typing.EventThrottle, "Typing.EventThrottle", Fail);
        if (!Enum.IsDefined(options.RateLimiting.FailureMode))
            Fail($"ChatDataRedisOptions.RateLimiting.FailureMode '{options.RateLimiting.FailureMode}' is not a RateLimitFailureMode.");
        if (!Enum.IsDefined(options.Sessions.FailureMode))
            Fail($"ChatDataRedisOptions.Sessions.FailureMode '{options.Sessions.FailureMode}' is not a RevocationFailureMode.");
        Positive(options.Sessions.MaxTokenLifetime, "Sessions.MaxTokenLifetime", Fail);
        Positive(options.Sessions.CacheLifetime, "Sessions.CacheLifetime", Fail);
        if (options.Sessions.ClockSkew < TimeSpan.Zero)
            Fail($"ChatDataRedisOptions.Sessions.ClockSkew must not be negative ({options.Sessions.ClockSkew} given).");
        if (options.Events.MaxPayloadBytes < 1)
            Fail($"ChatDataRedisOptions.Events.MaxPayloadBytes must be at least 1 ({options.Events.MaxPayloadBytes} given).");

        var caches = options.Caches;
        Positive(caches.UnreadTtl, "Caches.UnreadTtl", Fail);
        Positive(caches.LastMessageTtl, "Caches.LastMessageTtl", Fail);
        Positive(caches.RecentMessagesTtl, "Caches.RecentMessagesTtl", Fail);
        if (caches.RecentMessagesCapacity is < 1 or > 1_000)
            Fail($"ChatDataRedisOptions.Caches.RecentMessagesCapacity must be from 1 to 1,000 ({caches.RecentMessagesCapacity} given).");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(TimeSpan value, string option, Action<string> fail)
    {
        // At least a millisecond: Redis expiries are whole milliseconds.
        if (value < TimeSpan.FromMilliseconds(1))
            fail($"ChatDataRedisOptions.{option} must be at least 1 ms ({value} given).");
    }
}
