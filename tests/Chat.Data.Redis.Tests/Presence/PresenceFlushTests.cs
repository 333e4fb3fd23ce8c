using Chat.Data.Redis.Presence;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Redis.Tests.Presence;

/// <summary>Last-seen times from Redis presence written to a real, migrated PostgreSQL database in one batch.</summary>
public abstract class PresenceFlushTests(RedisFixture fixture, PostgresDatabaseFixture database) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture, PostgresDatabaseFixture database)
        : PresenceFlushTests(fixture, database), IClassFixture<SingleRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture, PostgresDatabaseFixture database)
        : PresenceFlushTests(fixture, database), IClassFixture<ClusterRedisFixture>, IClassFixture<PostgresDatabaseFixture>;

    [Fact]
    public async Task Last_seen_times_reach_postgres_in_one_batch_and_never_move_back()
    {
        var services = Services(postgresConnectionString: database.ConnectionString);
        var presence = services.GetRequiredService<IPresenceTracker>();
        var users = services.GetRequiredService<IUserRepository>();
        var ids = new List<Guid>();
        for (var i = 0; i < 50; i++)
            ids.Add((await users.CreateAsync(new NewUser { Username = $"flush_{Guid.NewGuid():N}"[..30], DisplayName = $"User {i}" })).Id);
        var seenEarlier = ids[^1];
        var future = DateTimeOffset.UtcNow.AddDays(1);
        await users.UpdateLastSeenAsync(seenEarlier, future); // PostgreSQL already knows a later time for this one
        var never = ids[0]; // no presence in Redis

        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        foreach (var id in ids.Skip(1))
            await presence.HeartbeatAsync(id, "phone");
        await presence.DisconnectAsync(ids[1], "phone");
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        var updated = await presence.FlushLastSeenAsync(users, ids.Append(Guid.CreateVersion7()));

        Assert.Equal(48, updated); // 50 less the one never seen and the one with a later time
        var expected = await presence.GetLastSeenAsync(ids);
        foreach (var seen in expected.Where(s => s.UserId != seenEarlier))
            Assert.Equal(seen.LastSeen, (await users.FindByIdAsync(seen.UserId))!.LastSeenAt);
        Assert.All(expected, s => Assert.InRange(s.LastSeen, before, after));
        Assert.Null((await users.FindByIdAsync(never))!.LastSeenAt);
        Assert.Equal(future.ToUnixTimeMilliseconds(), (await users.FindByIdAsync(seenEarlier))!.LastSeenAt!.Value.ToUnixTimeMilliseconds());

        // The same flush again moves nothing; one after a watermark only reads the newer times.
        Assert.Equal(0, await presence.FlushLastSeenAsync(users, ids));
        Assert.Equal(0, await presence.FlushLastSeenAsync(users, ids, since: after));
        await presence.HeartbeatAsync(ids[2], "laptop");
        Assert.Equal(1, await presence.FlushLastSeenAsync(users, ids, since: after.AddSeconds(-1)));
    }
}
