using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Sessions;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests;

public abstract class SessionRevocationTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : SessionRevocationTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : SessionRevocationTests(fixture), IClassFixture<ClusterRedisFixture>;

    private const string Issuer = "https://auth.example.com";

    [Fact]
    public async Task A_revoked_token_stays_revoked_until_its_expiry()
    {
        var sessions = Get<ISessionRevocationList>(o => o.Sessions.ClockSkew = TimeSpan.Zero);
        var (user, jti, other) = (Guid.CreateVersion7(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-1);

        // Three seconds: long enough for the checks below on a busy machine.
        await sessions.RevokeTokenAsync(Issuer, jti, DateTimeOffset.UtcNow.AddSeconds(3));

        Assert.Equal(new RevocationStatus(true, RevocationReason.TokenRevoked), await sessions.CheckAsync(Issuer, jti, user, issuedAt));
        Assert.Equal(new RevocationStatus(false, RevocationReason.None), await sessions.CheckAsync(Issuer, other, user, issuedAt));
        Assert.Equal(new RevocationStatus(false, RevocationReason.None), await sessions.CheckAsync("https://other.example.com", jti, user, issuedAt));
        var ttl = await Db.KeyTimeToLiveAsync((RedisKey)$"{Fixture.KeyPrefix}revoked:{{{RedisKeys.Hash(Issuer, jti)}}}:token");
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(3));

        await Eventually(async () => !(await sessions.CheckAsync(Issuer, jti, user, issuedAt)).IsRevoked, TimeSpan.FromSeconds(10), "the revocation expires");
    }

    [Fact]
    public async Task Revoking_an_expired_token_stores_nothing()
    {
        var sessions = Get<ISessionRevocationList>(o => o.KeyPrefix = Fixture.KeyPrefix + "expired:");
        await sessions.RevokeTokenAsync(Issuer, "old", DateTimeOffset.UtcNow.AddHours(-1));

        Assert.Empty(Fixture.Masters().SelectMany(s => s.Keys(pattern: Fixture.KeyPrefix + "expired:*")));
        Assert.False((await sessions.CheckAsync(Issuer, "old", Guid.CreateVersion7(), DateTimeOffset.UtcNow.AddHours(-2))).IsRevoked);
    }

    [Fact]
    public async Task Revoke_all_before_a_time_revokes_older_tokens_of_that_user_only()
    {
        var sessions = Get<ISessionRevocationList>();
        var (user, otherUser) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var now = DateTimeOffset.UtcNow;

        await sessions.RevokeAllBeforeAsync(user, now);

        Assert.Equal(new RevocationStatus(true, RevocationReason.UserTokensRevoked), await sessions.CheckAsync(Issuer, "a", user, now.AddMinutes(-5)));
        Assert.False((await sessions.CheckAsync(Issuer, "b", user, now.AddSeconds(1))).IsRevoked);
        Assert.False((await sessions.CheckAsync(Issuer, "c", otherUser, now.AddMinutes(-5))).IsRevoked);

        // Only moves forward: an earlier time changes nothing.
        await sessions.RevokeAllBeforeAsync(user, now.AddHours(-1));
        Assert.True((await sessions.CheckAsync(Issuer, "a", user, now.AddMinutes(-5))).IsRevoked);
        await sessions.RevokeAllBeforeAsync(user, now.AddMinutes(1));
        Assert.True((await sessions.CheckAsync(Issuer, "b", user, now.AddSeconds(1))).IsRevoked);

        var ttl = await Db.KeyTimeToLiveAsync((RedisKey)$"{Fixture.KeyPrefix}revoked:{{{user:D}}}:before");
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(30), TimeSpan.FromDays(30) + TimeSpan.FromMinutes(7));
    }
}
