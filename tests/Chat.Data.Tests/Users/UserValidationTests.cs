using Chat.Data.Tests.Infrastructure;
using Chat.Data.Users;
using Dapper;

namespace Chat.Data.Tests.Users;

/// <summary>Bad input is refused before the database with an error naming the field, and nothing is written.</summary>
public sealed class UserValidationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private IUserRepository Users => db.Users;

    public static TheoryData<NewUser, string> InvalidNewUsers => new()
    {
        { new NewUser { DisplayName = "No identifier" }, "Phone" },
        { new NewUser { Phone = "081234567890", DisplayName = "No plus" }, "Phone" },
        { new NewUser { Phone = "+0812345678", DisplayName = "Leading zero" }, "Phone" },
        { new NewUser { Phone = "+12345", DisplayName = "Too short" }, "Phone" },
        { new NewUser { Phone = "+1234567890123456", DisplayName = "Too long" }, "Phone" },
        { new NewUser { Phone = "+62 812 3456", DisplayName = "Spaces" }, "Phone" },
        { new NewUser { Phone = "+6281234\0567", DisplayName = "NUL" }, "Phone" },
        { new NewUser { Phone = "+6281234567\n", DisplayName = "Trailing newline" }, "Phone" },
        { new NewUser { Username = "ab" }, "Username" },
        { new NewUser { Username = new string('a', 51) }, "Username" },
        { new NewUser { Username = "has-dash" }, "Username" },
        { new NewUser { Username = "bob'; DROP TABLE users;--" }, "Username" },
        { new NewUser { Username = "ünïcode" }, "Username" },
        { new NewUser { Username = "name_ok\n" }, "Username" },
        { new NewUser { ExternalId = "", DisplayName = "Empty external" }, "ExternalId" },
        { new NewUser { ExternalId = new string('x', 201), DisplayName = "Long external" }, "ExternalId" },
        { new NewUser { ExternalId = "a\0b", DisplayName = "NUL external" }, "ExternalId" },
        { new NewUser { Phone = "+15550000001" }, "DisplayName" },
        { new NewUser { Phone = "+15550000002", DisplayName = "   " }, "DisplayName" },
        { new NewUser { Phone = "+15550000003", DisplayName = new string('n', 101) }, "DisplayName" },
        { new NewUser { Phone = "+15550000004", DisplayName = "Nul\0Name" }, "DisplayName" },
        { new NewUser { Phone = "+15550000005", DisplayName = "A", Avatar = new string('a', 501) }, "Avatar" },
        { new NewUser { Phone = "+15550000006", DisplayName = "A", About = new string('a', 201) }, "About" },
        { new NewUser { Phone = "+15550000007", DisplayName = "A", About = "bad\0about" }, "About" },
        { new NewUser { Phone = "+15550000008", DisplayName = "A", PasswordHash = new string('h', 256) }, "PasswordHash" },
        { new NewUser { Phone = "+15550000009", DisplayName = "A", PasswordHash = " " }, "PasswordHash" },
    };

    [Theory]
    [MemberData(nameof(InvalidNewUsers))]
    public async Task Create_rejects_bad_input_naming_the_field_and_writes_nothing(NewUser user, string field)
    {
        var before = await CountUsersAsync();

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.CreateAsync(user));

        Assert.Equal(field, error.Field);
        Assert.Equal(before, await CountUsersAsync());
    }

    public static TheoryData<UserUpdate, string> InvalidUpdates => new()
    {
        { new UserUpdate { DisplayName = "" }, "DisplayName" },
        { new UserUpdate { DisplayName = "a\0" }, "DisplayName" },
        { new UserUpdate { Phone = "12345" }, "Phone" },
        { new UserUpdate { Username = "x" }, "Username" },
        { new UserUpdate { Avatar = new string('a', 501) }, "Avatar" },
        { new UserUpdate { About = new string('a', 201) }, "About" },
        { new UserUpdate { PasswordHash = "" }, "PasswordHash" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public async Task Update_rejects_bad_input_naming_the_field_and_changes_nothing(UserUpdate update, string field)
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Stable" });

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.UpdateAsync(user.Id, update));

        Assert.Equal(field, error.Field);
        Assert.Equal(user, await Users.FindByIdAsync(user.Id));
    }

    [Fact]
    public async Task Empty_ids_are_rejected_by_every_method()
    {
        var empty = Guid.Empty;
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByIdAsync(empty))).Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.UpdateAsync(empty, new UserUpdate { DisplayName = "x" }))).Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.UpdateLastSeenAsync(empty))).Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.SetPresenceAsync(empty, Presence.Online))).Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.GetPasswordHashAsync(empty))).Field);
        Assert.Equal("id", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.DeleteAsync(empty))).Field);
    }

    [Fact]
    public async Task Lookups_reject_malformed_keys_naming_the_parameter()
    {
        Assert.Equal("phone", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByPhoneAsync("not a phone"))).Field);
        Assert.Equal("username", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByUsernameAsync("a\0b"))).Field);
        Assert.Equal("externalId", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByExternalIdAsync(""))).Field);
    }

    [Fact]
    public async Task Find_by_phones_names_the_bad_entry_and_caps_the_batch()
    {
        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByPhonesAsync([TestData.Phone(), TestData.Phone(), "+62\0"]));
        Assert.Equal("phones[2]", error.Field);

        var tooMany = Enumerable.Range(0, 10_001).Select(_ => "+15550000000").ToArray();
        Assert.Equal("phones", (await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.FindByPhonesAsync(tooMany))).Field);
    }

    [Fact]
    public async Task Last_seen_batches_name_the_bad_entry_and_are_capped()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "Batch" });
        var now = DateTimeOffset.UtcNow;

        var emptyId = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Users.UpdateLastSeenManyAsync([new(user.Id, now), new(Guid.Empty, now)]));
        var noTime = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Users.UpdateLastSeenManyAsync([new(user.Id, default)]));
        var tooMany = await Assert.ThrowsAsync<ChatDataValidationException>(() =>
            Users.UpdateLastSeenManyAsync(Enumerable.Range(0, 10_001).Select(_ => new KeyValuePair<Guid, DateTimeOffset>(Guid.CreateVersion7(), now)).ToArray()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Users.UpdateLastSeenManyAsync(null!));

        Assert.Equal("lastSeen[1]", emptyId.Field);
        Assert.Equal("lastSeen[0]", noTime.Field);
        Assert.Equal("lastSeen", tooMany.Field);
        Assert.Null((await Users.FindByIdAsync(user.Id))!.LastSeenAt); // nothing of a rejected batch is written
    }

    [Fact]
    public async Task Unknown_presence_values_are_rejected()
    {
        var user = await Users.CreateAsync(new NewUser { Phone = TestData.Phone(), DisplayName = "P" });

        var error = await Assert.ThrowsAsync<ChatDataValidationException>(() => Users.SetPresenceAsync(user.Id, (Presence)42));

        Assert.Equal("presence", error.Field);
        Assert.Equal(Presence.Offline, (await Users.FindByIdAsync(user.Id))!.Presence);
    }

    [Fact]
    public async Task The_database_holds_the_same_rules_for_writers_that_bypass_the_library()
    {
        await using var connection = await db.OpenAsync();

        var noIdentifier = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            connection.ExecuteAsync("INSERT INTO chat.users (id, display_name) VALUES (gen_random_uuid(), 'x')"));
        var badPhone = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            connection.ExecuteAsync("INSERT INTO chat.users (id, phone, display_name) VALUES (gen_random_uuid(), '0812', 'x')"));
        var badPresence = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            connection.ExecuteAsync("INSERT INTO chat.users (id, username, display_name, presence) VALUES (gen_random_uuid(), 'valid_name', 'x', 'busy')"));

        Assert.Equal("users_identifier_check", noIdentifier.ConstraintName);
        Assert.Equal("users_phone_check", badPhone.ConstraintName);
        Assert.Equal("users_presence_check", badPresence.ConstraintName);
    }

    private async Task<long> CountUsersAsync()
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM chat.users");
    }
}
