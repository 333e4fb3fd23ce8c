using System.Text.RegularExpressions;
using Chat.Data.Redis.Presence;

namespace Chat.Data.Redis.Tests.Presence;

public abstract partial class PresenceTests(RedisFixture fixture) : RedisTestBase(fixture)
{
    public sealed class Single(SingleRedisFixture fixture) : PresenceTests(fixture), IClassFixture<SingleRedisFixture>;

    public sealed class Cluster(ClusterRedisFixture fixture) : PresenceTests(fixture), IClassFixture<ClusterRedisFixture>;

    [Fact]
    public async Task With_two_devices_the_user_stays_online_when_one_expires()
    {
        var presence = Get<IPresenceTracker>();
        var user = Guid.CreateVersion7();

        // The long-lived device first: on a busy machine a second can pass between the two heartbeats.
        var laptop = await presence.HeartbeatAsync(user, "laptop", TimeSpan.FromSeconds(30));
        var phone = await presence.HeartbeatAsync(user, "phone", TimeSpan.FromSeconds(1));

        Assert.Equal(new HeartbeatResult(WentOnline: true, DeviceCount: 1), laptop);
        Assert.Equal(new HeartbeatResult(WentOnline: false, DeviceCount: 2), phone);

        await Eventually(async () => (await presence.GetAsync(user)).DeviceCount < 2, TimeSpan.FromSeconds(10), "the phone's heartbeat expires");
        var now = await presence.GetAsync(user);
        Assert.True(now.IsOnline);
        Assert.Equal(1, now.DeviceCount);
    }

    [Fact]
    public async Task When_both_devices_go_the_user_is_offline_with_a_last_seen_time()
    {
        var presence = Get<IPresenceTracker>();
        var user = Guid.CreateVersion7();
        await presence.HeartbeatAsync(user, "phone");
        await presence.HeartbeatAsync(user, "laptop");

        var first = await presence.DisconnectAsync(user, "phone");
        var before = DateTimeOffset.UtcNow;
        var last = await presence.DisconnectAsync(user, "laptop");
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(new DisconnectResult(WentOffline: false, DeviceCount: 1), first);
        Assert.Equal(new DisconnectResult(WentOffline: true, DeviceCount: 0), last);
        var now = await presence.GetAsync(user);
        Assert.False(now.IsOnline);
        Assert.Equal(0, now.DeviceCount);
        // Server time and test time come from the same machine's clock.
        Assert.InRange(now.LastSeen!.Value, before.AddSeconds(-1), after.AddSeconds(1));
        // A disconnect of an unknown device changes nothing.
        Assert.Equal(new DisconnectResult(false, 0), await presence.DisconnectAsync(user, "tablet"));
    }

    [Fact]
    public async Task A_device_that_stops_sending_heartbeats_goes_offline_and_the_next_heartbeat_brings_the_user_back()
    {
        var presence = Get<IPresenceTracker>(o => o.Presence.DeviceTtl = TimeSpan.FromMilliseconds(200));
        var user = Guid.CreateVersion7();
        await presence.HeartbeatAsync(user, "phone");

        await Task.Delay(400);

        var gone = await presence.GetAsync(user);
        Assert.False(gone.IsOnline);
        Assert.NotNull(gone.LastSeen);
        Assert.True((await presence.HeartbeatAsync(user, "phone")).WentOnline);
    }

    [Fact]
    public async Task Bulk_status_of_1000_users_is_one_script_call_on_a_single_server_and_one_per_hash_slot_on_a_cluster()
    {
        var presence = Get<IPresenceTracker>();
        var users = Enumerable.Range(0, 1000).Select(_ => Guid.CreateVersion7()).ToArray();
        var online = users.Where((_, i) => i % 3 == 0).ToHashSet();
        await Task.WhenAll(online.Select(u => presence.HeartbeatAsync(u, "web")));
        await presence.GetManyAsync([Guid.CreateVersion7()]); // the read script is loaded before the servers are watched

        List<string[]> commands;
        IReadOnlyDictionary<Guid, UserPresence> statuses;
        await using (var monitor = await RedisMonitor.StartAsync(Fixture))
        {
            statuses = await presence.GetManyAsync(users);
            commands = await monitor.CommandsAsync();
        }

        Assert.Equal(1000, statuses.Count);
        Assert.All(users, u => Assert.Equal(online.Contains(u), statuses[u].IsOnline));
        Assert.All(online, u => Assert.NotNull(statuses[u].LastSeen));
        Assert.All(users.Where(u => !online.Contains(u)), u => Assert.Null(statuses[u].LastSeen));

        // The script calls that name these users, by their keys: a server that lost the script (another test's
        // SCRIPT FLUSH) gets the same keys again as EVAL, which is still the same call.
        var calls = commands
            .Where(c => c[0].Equals("EVALSHA", StringComparison.OrdinalIgnoreCase) || c[0].Equals("EVAL", StringComparison.OrdinalIgnoreCase))
            .Select(c => c.Skip(3).Take(int.Parse(c[2])).ToArray())
            .Where(keys => UsersIn(keys).Overlaps(users))
            .DistinctBy(keys => string.Join(' ', keys))
            .ToList();
        Assert.Equal(users.ToHashSet(), calls.SelectMany(UsersIn).ToHashSet());
        Assert.Equal(users.Length, calls.Sum(keys => UsersIn(keys).Count)); // each user in one call only
        if (Fixture.IsCluster)
        {
            var slots = calls.Select(keys => Assert.Single(keys.Select(k => Fixture.Multiplexer.HashSlot(k)).Distinct())).ToList();
            Assert.Equal(slots.Count, slots.Distinct().Count());
        }
        else
        {
            Assert.Single(calls);
        }
    }

    private static HashSet<Guid> UsersIn(IEnumerable<string> keys) =>
        keys.SelectMany(k => GuidText().Matches(k)).Select(m => Guid.Parse(m.Value)).ToHashSet();

    [GeneratedRegex("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")]
    private static partial Regex GuidText();

    [Fact]
    public async Task Online_count_follows_heartbeats_disconnects_and_expiry()
    {
        // A prefix of its own: the count is global to the prefix.
        var presence = Get<IPresenceTracker>(o => o.KeyPrefix = Fixture.KeyPrefix + "count:");
        Assert.Equal(0, await presence.CountOnlineAsync());
        var (a, b, c) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());

        await presence.HeartbeatAsync(a, "phone");
        await presence.HeartbeatAsync(a, "laptop");
        await presence.HeartbeatAsync(b, "phone");
        // Long enough that c is still online through the next checks on a busy machine.
        await presence.HeartbeatAsync(c, "phone", TimeSpan.FromSeconds(3));
        Assert.Equal(3, await presence.CountOnlineAsync());

        await presence.DisconnectAsync(a, "phone"); // a still has the laptop
        Assert.Equal(3, await presence.CountOnlineAsync());
        await presence.DisconnectAsync(b, "phone");
        Assert.Equal(2, await presence.CountOnlineAsync());

        // c's only device expires.
        await Eventually(async () => await presence.CountOnlineAsync() < 2, TimeSpan.FromSeconds(15), "c's heartbeat expires");
        Assert.Equal(1, await presence.CountOnlineAsync());
    }

    [Fact]
    public async Task Last_seen_times_can_be_read_out_in_one_batch_after_a_watermark()
    {
        var presence = Get<IPresenceTracker>();
        var (early, late, never) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await presence.HeartbeatAsync(early, "web");
        await Task.Delay(50);
        var watermark = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await presence.HeartbeatAsync(late, "web");

        var all = await presence.GetLastSeenAsync([early, late, never]);
        var recent = await presence.GetLastSeenAsync([early, late, never], since: watermark);

        Assert.Equal(new[] { early, late }.Order(), all.Select(s => s.UserId).Order());
        Assert.Equal([late], recent.Select(s => s.UserId));
    }
}
