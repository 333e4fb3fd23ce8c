using System.Text;
using Npgsql;

namespace Chat.Data;

/// <summary>
/// The one place where database errors become <see cref="ChatDataException"/>s: by SqlState and
/// constraint name, never by message text.
/// </summary>
/// <remarks>
/// Constraints follow PostgreSQL's own naming, <c>{table}_{column}_{key|fkey|check}</c>, so the
/// field is the constraint name less its table prefix and kind suffix, in PascalCase
/// (<c>users_phone_key</c> is field <c>Phone</c>). Migrations name multi-column constraints
/// after the field a caller would recognise.
/// </remarks>
internal static class PostgresErrors
{
    /// <summary>Raised by the schema's own triggers when a rule needs an active chat member (see 0002_chats.up.sql).</summary>
    public const string NotAMemberSqlState = "CD001";

    // Most often met with RunMigrationsOnStartup outside a generic host, where no hosted service starts.
    private const string NotMigrated =
        "The Chat.Data tables are missing: the database is not migrated. Apply the migrations with " +
        "IChatDataMigrator.MigrateUpAsync or the chat-data CLI. ChatDataOptions.RunMigrationsOnStartup applies them only " +
        "when a generic host (Host.CreateApplicationBuilder, WebApplication) starts; with a plain ServiceCollection, " +
        "call MigrateUpAsync yourself before the first query.";

    /// <summary>The library's error for <paramref name="exception"/>, or null when it is not one the library knows.</summary>
    public static ChatDataException? Translate(NpgsqlException exception)
    {
        if (exception is not PostgresException pg)
            return exception.IsTransient ? new DatabaseUnavailableException(exception) : null;

        return pg.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => new DuplicateException(FieldOf(pg), pg),
            PostgresErrorCodes.ForeignKeyViolation => new ReferenceNotFoundException(FieldOf(pg), pg),
            PostgresErrorCodes.CheckViolation => new ChatDataValidationException(FieldOf(pg), "the value breaks a rule of the schema.", pg),
            PostgresErrorCodes.NotNullViolation => new ChatDataValidationException(Pascal(pg.ColumnName ?? "value"), "a value is required.", pg),
            PostgresErrorCodes.StringDataRightTruncation => new ChatDataValidationException(Pascal(pg.ColumnName ?? "value"), "the text is too long.", pg),
            PostgresErrorCodes.CharacterNotInRepertoire => new ChatDataValidationException(Pascal(pg.ColumnName ?? "value"), "the text holds a character PostgreSQL cannot store (NUL).", pg),
            NotAMemberSqlState => new NotAMemberException(pg.MessageText, pg),
            // Row-level security: a call acting as a user touched rows or tables that user's role may not.
            PostgresErrorCodes.InsufficientPrivilege => new NotPermittedException("the acting user may not do this: " + pg.MessageText, pg),
            PostgresErrorCodes.UndefinedTable => new Migrations.MigrationException(NotMigrated, innerException: pg),
            PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure => new ConcurrencyConflictException(pg),
            _ when pg.IsTransient => new DatabaseUnavailableException(pg),
            _ => null,
        };
    }

    private static string FieldOf(PostgresException pg)
    {
        var name = pg.ConstraintName;
        if (string.IsNullOrEmpty(name))
            return Pascal(pg.ColumnName ?? "value");
        if (pg.TableName is { Length: > 0 } table && name.StartsWith(table + "_", StringComparison.Ordinal))
            name = name[(table.Length + 1)..];
        // A primary key names no column: {table}_pkey is the row's identity.
        if (name == "pkey")
            return "Id";
        foreach (var suffix in (ReadOnlySpan<string>)["_key", "_fkey", "_check", "_excl"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return Pascal(name[..^suffix.Length]);
        }
        return Pascal(name);
    }

    /// <summary><c>external_id</c> becomes <c>ExternalId</c>, the name of the property a caller set.</summary>
    internal static string Pascal(string snake)
    {
        var result = new StringBuilder(snake.Length);
        var upper = true;
        foreach (var c in snake)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }
            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return result.ToString();
    }
}
