using Chat.Data.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Internal;

/// <summary>A statement's parameters, bound through the door from an object's properties by the names in its SQL.</summary>
public sealed class ParameterBinderTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Parameters_are_bound_by_name_ignoring_case_and_a_null_keeps_its_declared_type()
    {
        var database = db.Services.GetRequiredService<ChatDatabase>();

        var row = await database.QuerySingleOrDefaultAsync(
            "SELECT pg_typeof(@missing)::text, @Missing IS NULL, pg_typeof(@count)::text, @Count, pg_typeof(@ids)::text",
            new { missing = (Guid?)null, count = 3L, ids = new[] { "a" } },
            r => new[] { r.GetString(0), r.GetBoolean(1).ToString(), r.GetString(2), r.GetInt64(3).ToString(), r.GetString(4) },
            CancellationToken.None);

        Assert.Equal(["uuid", "True", "bigint", "3", "text[]"], row!);
    }

    [Fact]
    public async Task A_name_without_a_property_fails_naming_it()
    {
        var database = db.Services.GetRequiredService<ChatDatabase>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            database.ExecuteScalarAsync<int>("SELECT @chatId + @limit", new { chatId = 1 }, CancellationToken.None));

        Assert.Contains("@limit", error.Message);
    }

    [Fact]
    public async Task Each_statement_of_a_template_is_bound_on_its_own()
    {
        var database = db.Services.GetRequiredService<ChatDatabase>();

        var (first, second) = await database.QueryTwoAsync(
            "SELECT @b::int; SELECT @a::text || @b::int",
            new { a = "x", b = 7 },
            r => r.GetInt32(0), r => r.GetString(0), CancellationToken.None);

        Assert.Equal([7], first);
        Assert.Equal(["x7"], second);
    }

    [Fact]
    public async Task An_enum_is_refused_naming_its_property()
    {
        var database = db.Services.GetRequiredService<ChatDatabase>();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            database.ExecuteScalarAsync<int>("SELECT @day", new { day = DayOfWeek.Monday }, CancellationToken.None));

        Assert.Contains(".day is an enum", error.Message);
    }
}
