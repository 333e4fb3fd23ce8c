using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;
using Dapper;

namespace Chat.Data.Tests.Users;

public sealed class UserRepositoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IUserRepository Users => db.Users;

    [Fact]
    public async Task Create_returns_the_stored_user_with_a_version_7_id()
    {
        var phone = TestData.Phone();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var user = await Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Budi", Avatar = "🙂", About = "at work" });

        Assert.Equal(7, user.Id.Version);
        Assert.Equal(phone, user.Phone);
        Assert.Equal("Budi", user.DisplayName);
        Assert.Equal("🙂", user.Avatar);
        Assert.Equal("at work", user.About);
        Assert.Equal(Presence.Offline, user.Presence);
        Assert.Null(user.LastSeenAt);
        Assert.InRange(user.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(TimeSpan.Zero, user.CreatedAt.Offset);
        Assert.Equal(user, await Users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task Create_with_only_a_username_defaults_the_display_name_to_it()
    {
        var username = TestData.Username();

        var user = await Users.CreateAsync(new NewUser { Username = username });

        Assert.Equal(username, user.DisplayName);
        Assert.Null(user.Phone);
    }

    [Fact]
    public async Task Create_with_only_an_external_id_works()
    {
        var externalId = "auth0|" + TestData.Next();

        var user = await Users.CreateAsync(new NewUser { ExternalId = externalId, DisplayName = "Sari" });

        Assert.Equal(user, await Users.FindByExternalIdAsync(externalId));
    }

    [Fact]
    public async Task Find_by_id_returns_null_when_absent()
    {
        Assert.Null(await Users.FindByIdAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Find_by_phone_finds_the_user_and_null_when_absent()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Ani" });

        Assert.Equal(user, await Users.FindByPhoneAsync(user.Phone!));
        Assert.Null(await Users.FindByPhoneAsync(TestData.Phone()));
    }

    [Fact]
    public async Task Find_by_username_is_case_sensitive()
    {
        var username = "Case_" + TestData.Next();
        var user = await Users.CreateAsync(new NewUser { Username = username });

        Assert.Equal(user, await Users.FindByUsernameAsync(username));
        Assert.Null(await Users.FindByUsernameAsync(username.ToLowerInvariant()));
    }

    [Fact]
    public async Task Find_by_external_id_returns_null_when_absent()
    {
        Assert.Null(await Users.FindByExternalIdAsync("nobody-" + TestData.Next()));
    }

    [Fact]
    public async Task Find_by_phones_returns_the_registered_users_among_a_thousand_in_one_round_trip()
    {
        var registered = new List<User>();
        for (var i = 0; i < 20; i++)
            registered.Add(await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = $"Contact {i}" }));
        var addressBook = registered.Select(u => u.Phone!).Concat(Enumerable.Range(0, 980).Select(_ => TestData.Phone())).ToArray();

        using var roundTrips = new RoundTripCounter(db.Database.Name);
        var found = await Users.FindByPhonesAsync(addressBook);

        Assert.Equal(1, roundTrips.Count);
        Assert.Equal(registered.OrderBy(u => u.Id), found.OrderBy(u => u.Id));
    }

    [Fact]
    public async Task Find_by_phones_with_an_empty_list_returns_nothing_without_a_query()
    {
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        Assert.Empty(await Users.FindByPhonesAsync([]));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Update_changes_only_the_given_fields()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), Username = TestData.Username(), DisplayName = "Old", Avatar = "🐱", About = "hi" });

        var updated = await Users.UpdateAsync(user.Id, new UserUpdate { DisplayName = "New" });

        Assert.NotNull(updated);
        Assert.Equal(user with { DisplayName = "New", UpdatedAt = updated.UpdatedAt }, updated);
        Assert.True(updated.UpdatedAt >= user.UpdatedAt);
        Assert.Equal(updated, await Users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task Update_with_an_empty_avatar_removes_it_and_empty_about_clears_it()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "A", Avatar = "🐱", About = "busy" });

        var updated = await Users.UpdateAsync(user.Id, new UserUpdate { Avatar = "", About = "" });

        Assert.Null(updated!.Avatar);
        Assert.Equal("", updated.About);
    }

    [Fact]
    public async Task Update_with_nothing_set_changes_nothing()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Same" });

        Assert.Equal(user, await Users.UpdateAsync(user.Id, new UserUpdate()));
    }

    [Fact]
    public async Task Update_returns_null_when_absent()
    {
        Assert.Null(await Users.UpdateAsync(Guid.CreateVersion7(), new UserUpdate { DisplayName = "Ghost" }));
    }

    [Fact]
    public async Task Update_to_a_taken_phone_raises_duplicate_and_changes_nothing()
    {
        var first = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "First" });
        var second = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Second" });

        var error = await Assert.ThrowsAsync<DuplicateException>(() => Users.UpdateAsync(second.Id, new UserUpdate { Phone = first.Phone, DisplayName = "Changed" }));

        Assert.Equal("Phone", error.Field);
        Assert.Equal(second, await Users.FindByIdAsync(second.Id));
    }

    [Fact]
    public async Task Duplicate_phone_raises_duplicate_naming_phone()
    {
        var phone = TestData.Phone();
        await Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "One" });

        var error = await Assert.ThrowsAsync<DuplicateException>(() => Users.CreateAsync(new NewUser { Phone = phone, DisplayName = "Two" }));

        Assert.Equal("Phone", error.Field);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Duplicate_username_and_external_id_name_their_fields()
    {
        var username = TestData.Username();
        var externalId = "ext-" + TestData.Next();
        await Users.CreateAsync(new NewUser { Username = username, ExternalId = externalId });

        Assert.Equal("Username", (await Assert.ThrowsAsync<DuplicateException>(() => Users.CreateAsync(new NewUser { Username = username }))).Field);
        Assert.Equal("ExternalId", (await Assert.ThrowsAsync<DuplicateException>(() => Users.CreateAsync(new NewUser { ExternalId = externalId, DisplayName = "X" }))).Field);
    }

    [Fact]
    public async Task Concurrent_creates_with_one_phone_store_one_user_and_the_rest_get_duplicate()
    {
        var phone = TestData.Phone();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await Users.CreateAsync(new NewUser { Phone = phone, DisplayName = $"Racer {i}" });
                return "created";
            }
            catch (DuplicateException ex) when (ex.Field == "Phone")
            {
                return "duplicate";
            }
        }));

        Assert.Equal(1, attempts.Count(a => a == "created"));
        Assert.Equal(9, attempts.Count(a => a == "duplicate"));
        await using var connection = await db.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM chat.users WHERE phone = @phone", new { phone }));
    }

    [Fact]
    public async Task Update_last_seen_records_the_time_and_reports_absent_users()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Seen" });
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(7));

        Assert.True(await Users.UpdateLastSeenAsync(user.Id, at));
        Assert.Equal(at, (await Users.FindByIdAsync(user.Id))!.LastSeenAt);
        Assert.True(await Users.UpdateLastSeenAsync(user.Id));
        Assert.InRange((await Users.FindByIdAsync(user.Id))!.LastSeenAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.False(await Users.UpdateLastSeenAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Update_last_seen_many_writes_every_user_in_one_statement_and_never_moves_a_time_back()
    {
        var fresh = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Never seen" });
        var older = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Seen before" });
        var newer = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Seen lately" });
        var t0 = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        await Users.UpdateLastSeenAsync(older.Id, t0);
        await Users.UpdateLastSeenAsync(newer.Id, t0.AddHours(2));

        int updated;
        using (var roundTrips = new RoundTripCounter(db.Database.Name))
        {
            updated = await Users.UpdateLastSeenManyAsync(
            [
                new(fresh.Id, t0.AddMinutes(5)),
                new(older.Id, t0.AddHours(1).ToOffset(TimeSpan.FromHours(7))), // moves forward; any offset
                new(newer.Id, t0.AddHours(1)), // older than stored: stays
                new(Guid.CreateVersion7(), t0), // no such user
            ]);
            Assert.Equal(1, roundTrips.Count);
        }

        Assert.Equal(2, updated);
        Assert.Equal(t0.AddMinutes(5), (await Users.FindByIdAsync(fresh.Id))!.LastSeenAt);
        Assert.Equal(t0.AddHours(1), (await Users.FindByIdAsync(older.Id))!.LastSeenAt);
        Assert.Equal(t0.AddHours(2), (await Users.FindByIdAsync(newer.Id))!.LastSeenAt);
        // The same batch again moves nothing.
        Assert.Equal(0, await Users.UpdateLastSeenManyAsync([new(fresh.Id, t0.AddMinutes(5)), new(older.Id, t0)]));
    }

    [Fact]
    public async Task Update_last_seen_many_takes_the_latest_time_of_a_user_listed_twice()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Twice" });
        var at = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal(1, await Users.UpdateLastSeenManyAsync([new(user.Id, at.AddMinutes(9)), new(user.Id, at), new(user.Id, at.AddMinutes(3))]));

        Assert.Equal(at.AddMinutes(9), (await Users.FindByIdAsync(user.Id))!.LastSeenAt);
    }

    [Fact]
    public async Task Update_last_seen_many_with_an_empty_batch_sends_nothing()
    {
        using var roundTrips = new RoundTripCounter(db.Database.Name);

        Assert.Equal(0, await Users.UpdateLastSeenManyAsync([]));
        Assert.Equal(0, roundTrips.Count);
    }

    [Fact]
    public async Task Concurrent_last_seen_batches_over_the_same_users_in_any_order_never_deadlock_and_keep_the_latest()
    {
        var users = new List<User>();
        for (var i = 0; i < 200; i++)
            users.Add(await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = $"Busy {i}" }));
        var start = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);

        // Eight flushes at once, each over every user in its own order, each with its own time.
        await Task.WhenAll(Enumerable.Range(1, 8).Select(n => Task.Run(() =>
        {
            var order = users.OrderBy(_ => Random.Shared.Next()).Select(u => new KeyValuePair<Guid, DateTimeOffset>(u.Id, start.AddMinutes(n))).ToArray();
            return Users.UpdateLastSeenManyAsync(order);
        })));

        await using var connection = await db.OpenAsync();
        var times = await connection.QueryAsync<DateTime>(
            "SELECT last_seen_at FROM chat.users WHERE id = ANY(@ids)", new { ids = users.Select(u => u.Id).ToArray() });
        Assert.All(times, t => Assert.Equal(start.AddMinutes(8).UtcDateTime, t.ToUniversalTime()));
    }

    [Fact]
    public async Task Set_presence_stores_it_and_marks_the_user_seen()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Here" });

        Assert.True(await Users.SetPresenceAsync(user.Id, Presence.Away));

        var stored = await Users.FindByIdAsync(user.Id);
        Assert.Equal(Presence.Away, stored!.Presence);
        Assert.NotNull(stored.LastSeenAt);
        Assert.False(await Users.SetPresenceAsync(Guid.CreateVersion7(), Presence.Online));
    }

    [Fact]
    public async Task Password_hash_is_stored_but_never_part_of_the_user()
    {
        var user = await Users.CreateAsync(new NewUser { Username = TestData.Username(), PasswordHash = "$2b$12$abcdefghijklmnopqrstuv" });

        Assert.Equal("$2b$12$abcdefghijklmnopqrstuv", await Users.GetPasswordHashAsync(user.Id));
        await Users.UpdateAsync(user.Id, new UserUpdate { PasswordHash = "$2b$12$newnewnewnew" });
        Assert.Equal("$2b$12$newnewnewnew", await Users.GetPasswordHashAsync(user.Id));
        Assert.DoesNotContain(typeof(User).GetProperties(), p => p.Name.Contains("Password"));
        Assert.Null(await Users.GetPasswordHashAsync(Guid.CreateVersion7()));
    }

    [Fact]
    public async Task Delete_removes_the_user_and_reports_absent_users()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Bye" });

        Assert.True(await Users.DeleteAsync(user.Id));
        Assert.Null(await Users.FindByIdAsync(user.Id));
        Assert.False(await Users.DeleteAsync(user.Id));
    }

    [Fact]
    public async Task Sql_metacharacters_are_stored_as_text()
    {
        const string name = "Robert'); DROP TABLE chat.users; --";

        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = name, About = "50% off_ \\ $1" });

        var stored = await Users.FindByIdAsync(user.Id);
        Assert.Equal(name, stored!.DisplayName);
        Assert.Equal("50% off_ \\ $1", stored.About);
    }
}
