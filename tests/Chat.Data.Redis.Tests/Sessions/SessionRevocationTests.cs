using System.Security.Cryptography;
using System.Text;
using Chat.Data.Redis.Internal;
using Chat.Data.Redis.Sessions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests.Sessions;

public abstract class SessionRevocationTests(RedisFixture fixture, PostgresDatabaseFixture database) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture, PostgresDatabaseFixture database)
        : SessionRevocationTests(fixture, database), IClassFixture<SingleRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture, PostgresDatabaseFixture database)
        : SessionRevocationTests(fixture, database), IClassFixture<ClusterRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    /// <summary>The list on this class's migrated database, where it keeps its record.</summary>
    private ISessionRevocationList Revocations(Action<ChatDataRedisOptions>? configure = null) =>
        Services(configure, database.ConnectionString).GetRequiredService<ISessionRevocationList>();

    private const string Issuer = "https://auth.example.com";

    [Fact]
    public async Task A_revoked_token_stays_revoked_until_its_expiry()
    {
        var sessions = Revocations(o => o.Sessions.ClockSkew = TimeSpan.Zero);
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
        var sessions = Revocations(o => o.KeyPrefix = Fixture.KeyPrefix + "expired:");
        await sessions.RevokeTokenAsync(Issuer, "old", DateTimeOffset.UtcNow.AddHours(-1));

        Assert.Empty(Fixture.Masters().SelectMany(s => s.Keys(pattern: Fixture.KeyPrefix + "expired:*")));
        Assert.False((await sessions.CheckAsync(Issuer, "old", Guid.CreateVersion7(), DateTimeOffset.UtcNow.AddHours(-2))).IsRevoked);
    }

    [Fact]
    public async Task Revoke_all_before_a_time_revokes_older_tokens_of_that_user_only()
    {
        var sessions = Revocations();
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

    [Fact]
    public async Task Revocations_are_recorded_in_PostgreSQL_and_outlive_the_loss_of_Redis_data()
    {
        var sessions = Revocations();
        var (user, jti) = (Guid.CreateVersion7(), Guid.NewGuid().ToString());
        var now = DateTimeOffset.UtcNow;
        await sessions.RevokeTokenAsync(Issuer, jti, now.AddHours(1));
        await sessions.RevokeAllBeforeAsync(user, now);

        // The record holds a hash of the token, never its id.
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            var hashes = (await connection.QueryAsync<byte[]>("SELECT token_hash FROM chat.revoked_tokens")).ToList();
            Assert.Contains(hashes, h => h.SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes($"{Issuer}\0{jti}"))));
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.user_token_revocations WHERE user_id = @user", new { user }));
        }

        // Redis loses every key (a restart without persistence, a failover to an empty replica, eviction).
        foreach (var key in Fixture.AllKeys())
            await Db.KeyDeleteAsync(key);

        Assert.Equal(new RevocationStatus(true, RevocationReason.TokenRevoked), await sessions.CheckAsync(Issuer, jti, Guid.CreateVersion7(), now.AddMinutes(-1)));
        Assert.Equal(new RevocationStatus(true, RevocationReason.UserTokensRevoked), await sessions.CheckAsync(Issuer, "other", user, now.AddMinutes(-1)));
        Assert.False((await sessions.CheckAsync(Issuer, "other", user, now.AddSeconds(1))).IsRevoked);
        // Refilled: the next check is answered by Redis alone, the revocation with its own lifetime.
        var ttl = await Db.KeyTimeToLiveAsync((RedisKey)$"{Fixture.KeyPrefix}revoked:{{{RedisKeys.Hash(Issuer, jti)}}}:token");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(66));
    }

    [Fact]
    public async Task A_token_without_revocation_is_remembered_for_the_cache_lifetime_and_a_revocation_overrides_it_at_once()
    {
        var sessions = Revocations(o => o.Sessions.CacheLifetime = TimeSpan.FromMinutes(2));
        var (user, jti) = (Guid.CreateVersion7(), Guid.NewGuid().ToString());
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-1);

        Assert.False((await sessions.CheckAsync(Issuer, jti, user, issuedAt)).IsRevoked);
        var tokenKey = (RedisKey)$"{Fixture.KeyPrefix}revoked:{{{RedisKeys.Hash(Issuer, jti)}}}:token";
        var userKey = (RedisKey)$"{Fixture.KeyPrefix}revoked:{{{user:D}}}:before";
        Assert.Equal("0", (string?)await Db.StringGetAsync(tokenKey));
        Assert.Equal("0", (string?)await Db.StringGetAsync(userKey));
        Assert.InRange((await Db.KeyTimeToLiveAsync(tokenKey))!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        await sessions.RevokeTokenAsync(Issuer, jti, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(RevocationReason.TokenRevoked, (await sessions.CheckAsync(Issuer, jti, user, issuedAt)).Reason);
        await sessions.RevokeAllBeforeAsync(user, DateTimeOffset.UtcNow);
        Assert.Equal(RevocationReason.UserTokensRevoked, (await sessions.CheckAsync(Issuer, "another", user, issuedAt)).Reason);
    }

    [Fact]
    public async Task A_revocation_made_while_checks_refill_the_cache_is_never_hidden_by_them()
    {
        var sessions = Revocations();
        for (var round = 0; round < 20; round++)
        {
            var (user, jti) = (Guid.CreateVersion7(), Guid.NewGuid().ToString());
            var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            var checks = Enumerable.Range(0, 8).Select(_ => Task.Run(() => sessions.CheckAsync(Issuer, jti, user, issuedAt))).ToArray();
            await Task.WhenAll(Task.Run(() => sessions.RevokeTokenAsync(Issuer, jti, DateTimeOffset.UtcNow.AddHours(1))),
                Task.Run(() => sessions.RevokeAllBeforeAsync(user, DateTimeOffset.UtcNow)));
            await Task.WhenAll(checks);

            Assert.Equal(RevocationReason.TokenRevoked, (await sessions.CheckAsync(Issuer, jti, user, issuedAt)).Reason);
            Assert.Equal(RevocationReason.UserTokensRevoked, (await sessions.CheckAsync(Issuer, "another", user, issuedAt)).Reason);
        }
    }
}
