using Npgsql;

namespace Chat.Data.Tests.Errors;

/// <summary>
/// The SqlState to error mapping for the states a test cannot provoke on demand (a deadlock, a
/// serialization failure). The states tests do provoke (unique, check) are covered end to end.
/// </summary>
public sealed class ErrorTranslationTests
{
    private static PostgresException Error(string sqlState, string? constraint = null, string? table = null) =>
        new("message", "ERROR", "ERROR", sqlState, constraintName: constraint, tableName: table);

    [Theory]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    public void Concurrency_conflicts_are_transient(string sqlState)
    {
        var error = Assert.IsType<ConcurrencyConflictException>(PostgresErrors.Translate(Error(sqlState)));
        Assert.True(error.IsTransient);
    }

    [Theory]
    [InlineData("users_phone_key", "users", "Phone")]
    [InlineData("users_external_id_key", "users", "ExternalId")]
    [InlineData("messages_client_msg_id_key", "messages", "ClientMsgId")]
    [InlineData("message_hides_pkey", "message_hides", "Id")]
    public void Unique_violations_name_the_field_from_the_constraint(string constraint, string table, string field)
    {
        var error = Assert.IsType<DuplicateException>(PostgresErrors.Translate(Error(PostgresErrorCodes.UniqueViolation, constraint, table)));
        Assert.Equal(field, error.Field);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void Foreign_key_violations_name_the_reference()
    {
        var error = Assert.IsType<ReferenceNotFoundException>(PostgresErrors.Translate(Error(PostgresErrorCodes.ForeignKeyViolation, "chat_members_user_id_fkey", "chat_members")));
        Assert.Equal("UserId", error.Field);
    }

    [Fact]
    public void Errors_the_library_does_not_know_are_left_alone()
    {
        Assert.Null(PostgresErrors.Translate(Error(PostgresErrorCodes.SyntaxError)));
    }
}
