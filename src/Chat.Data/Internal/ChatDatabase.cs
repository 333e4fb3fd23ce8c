using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Chat.Data.Replicas;
using Chat.Data.Security;
using Npgsql;
using NpgsqlTypes;

namespace Chat.Data.Internal;

/// <summary>
/// The shared data source and schema every repository runs its SQL through. SQL templates name
/// tables as <c>{schema}.table</c> and parameters as <c>@name</c>, bound from the properties of an
/// object; each template is rendered once for the configured schema into positional statements
/// (<see cref="Statement"/>) and cached, so Npgsql sends its text as it is.
/// Database errors the library knows are translated here, so no repository repeats it.
/// Statements run on the primary, except those run through <see cref="Replica"/> when reads may be served by standbys.
/// </summary>
internal sealed class ChatDatabase : IAsyncDisposable
{
    /// <summary>Sent ahead of a query in the same transaction: PostgreSQL plans each run of it for its values.</summary>
    internal const string PlanPerRun = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";

    /// <summary>Sent ahead of a query in the same transaction: PostgreSQL plans it once, for any values (its generic plan).</summary>
    internal const string PlanOnce = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)";

    // Sent ahead of a statement in the same transaction: the rest of it runs as the acting user under row-level security.
    private const string ActAs = "CALL {schema}.act_as($1)";

    private readonly ConcurrentDictionary<string, string> _rendered;

    // The templates run through the door, as statements.
    private readonly ConcurrentDictionary<string, Statement> _statements;

    // The templates of QueryPlanned*Async with their setting ahead of them, by setting and template.
    private readonly ConcurrentDictionary<(string Setting, string Sql), string> _planned;
    private readonly string _quotedSchema;
    private readonly NpgsqlDataSource? _owned;
    private readonly string? _databaseName;

    // Null unless reads may be served by standbys; set on both doors.
    private readonly Standbys? _standbys;

    // True on the Replica door.
    private readonly bool _mayLag;

    /// <param name="dataSource">The host's or the library's data source.</param>
    /// <param name="schema">The schema holding the tables.</param>
    /// <param name="ownsDataSource">Dispose the data source with this object.</param>
    /// <param name="standbyCatchUpTimeout">
    /// Set to serve reads that may lag from standbys: <paramref name="dataSource"/> is then a multi-host
    /// data source, and a read with a consistency token waits this long at most for a standby to catch up.
    /// </param>
    public ChatDatabase(NpgsqlDataSource dataSource, string schema, bool ownsDataSource, TimeSpan? standbyCatchUpTimeout = null)
    {
        Schema = SchemaName.Validate(schema);
        _quotedSchema = SchemaName.Quote(Schema);
        _rendered = new();
        _planned = new();
        _statements = new();
        _owned = ownsDataSource ? dataSource : null;
        _databaseName = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database;
        if (standbyCatchUpTimeout is { } timeout)
        {
            var hosts = (NpgsqlMultiHostDataSource)dataSource;
            DataSource = hosts.WithTargetSession(TargetSessionAttributes.Primary);
            _standbys = new Standbys(hosts.WithTargetSession(TargetSessionAttributes.PreferStandby), timeout);
        }
        else
        {
            DataSource = dataSource;
        }
        Consistency = new AsyncLocal<ReadYourWritesScope?>();
        ActingUser = new AsyncLocal<ActingUserScope?>();
        Replica = _standbys is null ? this : new ChatDatabase(this);
    }

    // The Replica door: the same caches and scope, reads may go to a standby.
    private ChatDatabase(ChatDatabase primary)
    {
        Schema = primary.Schema;
        _quotedSchema = primary._quotedSchema;
        _rendered = primary._rendered;
        _planned = primary._planned;
        _statements = primary._statements;
        _databaseName = primary._databaseName;
        ActingUser = primary.ActingUser;
        DataSource = primary.DataSource;
        _standbys = primary._standbys;
        Consistency = primary.Consistency;
        _mayLag = true;
        Replica = this;
    }

    /// <summary>The primary (for a multi-host data source, its primary-only view).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// The same door for a read that may be served by a standby, a little behind the primary, when the
    /// host enabled <see cref="ChatDataOptions.ReadFromStandbys"/>: history, search, lists, look-ups. A read
    /// in a read-your-writes scope is served no older than the scope's token. Without standbys, this door.
    /// </summary>
    public ChatDatabase Replica { get; }

    /// <summary>The read-your-writes scope of the current async flow.</summary>
    public AsyncLocal<ReadYourWritesScope?> Consistency { get; }

    /// <summary>The row-level security scope of the current async flow: its statements run as its user.</summary>
    public AsyncLocal<ActingUserScope?> ActingUser { get; }

    /// <summary>True when writes should record their position for read-your-writes (reads may go to standbys).</summary>
    public bool TracksWrites => _standbys is not null;

    public string Schema { get; }

    /// <summary>The template with <c>{schema}</c> replaced by the quoted schema name.</summary>
    public string Sql(string template) =>
        _rendered.GetOrAdd(template, static (t, schema) => t.Replace("{schema}", schema, StringComparison.Ordinal), _quotedSchema);

    /// <summary>The first row read by <paramref name="read"/>, or null when there is none.</summary>
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "")
        where T : class =>
        RunAsync(async (reader, token) => await reader.ReadAsync(token).ConfigureAwait(false) ? read(reader) : null,
            sql, param, cancellationToken, caller, operation);

    /// <summary>Every row, each read by <paramref name="read"/>.</summary>
    public Task<List<T>> QueryAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        RunAsync((reader, token) => ReadAllAsync(reader, read, token), sql, param, cancellationToken, caller, operation);

    /// <summary>
    /// Every row of the second statement of a two-statement template whose first statement takes a row
    /// lock (its rows are skipped). Both go in one round trip and run in one implicit transaction; in
    /// READ COMMITTED the second statement's snapshot is taken once the lock is granted, so it sees every
    /// change committed before that, which a locking CTE inside a single statement would not (its
    /// snapshot predates the wait for the lock).
    /// </summary>
    public Task<List<T>> QueryAfterLockAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        RunAsync(async (reader, token) =>
        {
            await reader.NextResultAsync(token).ConfigureAwait(false);
            return await ReadAllAsync(reader, read, token).ConfigureAwait(false);
        }, sql, param, cancellationToken, caller, operation);

    /// <summary>
    /// Every row of a query whose best plan depends on its parameter values, planned for them on every run.
    /// Auto-prepare prepares every hot statement, and PostgreSQL gives a prepared statement a generic plan,
    /// blind to the values, from its sixth run when that plan's estimate is no dearer. So the query goes in
    /// one batch after a transaction-local <c>plan_cache_mode</c>, in one round trip: the setting ends with
    /// the batch's implicit transaction (or the caller's ambient one) and leaves the pooled connection as it was.
    /// </summary>
    public Task<List<T>> QueryPlannedPerRunAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        QueryAfterLockAsync(Planned(PlanPerRun, sql), param, read, cancellationToken, caller, operation);

    /// <summary>
    /// Every row of a query whose one plan serves every value, planned once. PostgreSQL would otherwise
    /// plan it anew on every run when its generic plan's estimate looks dearer than a plan for the values,
    /// which for a long query costs more than running it. Sent as <see cref="QueryPlannedPerRunAsync{T}"/> sends its setting.
    /// </summary>
    public Task<List<T>> QueryPlannedOnceAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        QueryAfterLockAsync(Planned(PlanOnce, sql), param, read, cancellationToken, caller, operation);

    private string Planned(string setting, string sql) =>
        _planned.GetOrAdd((setting, sql), static key => key.Setting + ";\n" + key.Sql);

    /// <summary>Every row of each result of a two-statement template: two queries in one round trip.</summary>
    public Task<(List<T1> First, List<T2> Second)> QueryTwoAsync<T1, T2>(
        string sql, object? param, Func<DbDataReader, T1> readFirst, Func<DbDataReader, T2> readSecond, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        RunAsync(async (reader, token) =>
        {
            var first = await ReadAllAsync(reader, readFirst, token).ConfigureAwait(false);
            await reader.NextResultAsync(token).ConfigureAwait(false);
            return (first, await ReadAllAsync(reader, readSecond, token).ConfigureAwait(false));
        }, sql, param, cancellationToken, caller, operation);

    private static async Task<List<T>> ReadAllAsync<T>(DbDataReader reader, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            rows.Add(read(reader));
        return rows;
    }

    /// <summary>The number of rows the statement affected.</summary>
    public Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        RunAsync(static async (reader, token) =>
        {
            // As ExecuteNonQuery counts them: once every result is read.
            while (await reader.NextResultAsync(token).ConfigureAwait(false))
            {
            }
            return reader.RecordsAffected;
        }, sql, param, cancellationToken, caller, operation);

    /// <summary>
    /// The first column of the first row, or default when there is no row or it is NULL; a value of
    /// another type is converted to <typeparamref name="T"/> (an int count read as a long).
    /// </summary>
    public Task<T?> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "") =>
        RunAsync(static async (reader, token) =>
            await reader.ReadAsync(token).ConfigureAwait(false) && reader.GetValue(0) is not DBNull and var value
                ? value is T typed ? typed : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture)
                : default,
            sql, param, cancellationToken, caller, operation);

    /// <summary>
    /// Runs one command on a pooled connection, translating the database errors the library knows. A read
    /// through <see cref="Replica"/> goes to a standby that has caught up with the scope's token, and to the
    /// primary when there is none or the standby fails it; anything else goes to the primary and, in a
    /// read-your-writes scope, records the primary's position after it (one more short round trip).
    /// Traced and timed as the repository call named by <paramref name="caller"/> and <paramref name="operation"/>
    /// when a listener asks for it.
    /// </summary>
    private async Task<TResult> RunAsync<TResult>(
        Func<NpgsqlDataReader, CancellationToken, Task<TResult>> read, string sql, object? param, CancellationToken cancellationToken,
        string caller, string operation)
    {
        var timed = ChatDataTelemetry.OperationDuration.Enabled;
        var activity = ChatDataTelemetry.Source.HasListeners() ? StartActivity(caller, operation) : null;
        var started = timed ? Stopwatch.GetTimestamp() : 0;
        string? errorType = null;
        try
        {
            var statement = _statements.GetOrAdd(sql, static (t, schema) => Statement.Parse(t.Replace("{schema}", schema, StringComparison.Ordinal)), _quotedSchema);
            var actingUser = ActingUser.Value?.UserId;
            var scope = Consistency.Value;
            if (_mayLag && await _standbys!.OpenAsync(scope?.Token ?? default, cancellationToken).ConfigureAwait(false) is { } standby)
            {
                await using (standby.ConfigureAwait(false))
                {
                    try
                    {
                        return await RunOnAsync(standby, statement, param, actingUser, read, cancellationToken).ConfigureAwait(false);
                    }
                    catch (NpgsqlException)
                    {
                        // The standby went away, or cancelled the read for a conflict with replay: the primary serves it.
                    }
                }
            }
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var result = await RunOnAsync(connection, statement, param, actingUser, read, cancellationToken).ConfigureAwait(false);
            if (!_mayLag && _standbys is not null && scope is not null)
                await Standbys.RecordWriteAsync(connection, scope, cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex) is { } error)
        {
            errorType = error.GetType().FullName;
            if (activity is not null)
                ChatDataTelemetry.SetError(activity, error);
            throw error;
        }
        catch (Exception ex) when (activity is not null || timed)
        {
            errorType = ex.GetType().FullName;
            if (activity is not null)
                ChatDataTelemetry.SetError(activity, ex);
            throw;
        }
        finally
        {
            activity?.Dispose();
            if (timed)
                RecordDuration(started, caller, operation, errorType);
        }
    }

    /// <summary>
    /// Runs <paramref name="statement"/> on <paramref name="connection"/>: a lone statement as a command; more,
    /// or any with the acting user's statement ahead, as a batch, in one round trip and one implicit
    /// transaction. Auto-prepare prepares either once it is hot.
    /// </summary>
    private async Task<TResult> RunOnAsync<TResult>(
        NpgsqlConnection connection, Statement statement, object? param, Guid? actingUser,
        Func<NpgsqlDataReader, CancellationToken, Task<TResult>> read, CancellationToken cancellationToken)
    {
        if (actingUser is null && statement.Commands is [var only])
        {
            await using var command = new NpgsqlCommand(only.Sql, connection);
            only.Bind(param, command.Parameters);
            await using var commandReader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await read(commandReader, cancellationToken).ConfigureAwait(false);
        }
        await using var batch = new NpgsqlBatch(connection);
        if (actingUser is { } user)
            batch.BatchCommands.Add(ActAsCommand(user));
        foreach (var each in statement.Commands)
        {
            var command = new NpgsqlBatchCommand(each.Sql);
            each.Bind(param, command.Parameters);
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await read(reader, cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlBatchCommand ActAsCommand(Guid user) =>
        new(Sql(ActAs)) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = user } } };

    /// <summary>
    /// Runs <paramref name="commands"/> on the primary, in one round trip and one implicit transaction, as
    /// <paramref name="actingUser"/> under row-level security when set, translating the database errors the
    /// library knows; <paramref name="read"/> reads their results. With read-your-writes
    /// <paramref name="scopes"/>, the primary's position after the commit is read in the same round trip
    /// and recorded in each. For work that does not belong to the caller's async flow (a batch of many
    /// callers' sends), so the acting user and scopes are given, not taken from the flow.
    /// </summary>
    public async Task<T> RunBatchAsync<T>(
        List<NpgsqlBatchCommand> commands, Func<NpgsqlDataReader, Task<T>> read, Guid? actingUser,
        IReadOnlyCollection<ReadYourWritesScope> scopes, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection);
            if (actingUser is { } user)
                batch.BatchCommands.Add(ActAsCommand(user));
            foreach (var command in commands)
                batch.BatchCommands.Add(command);
            if (scopes.Count > 0)
            {
                // The statements commit at this barrier; then the position, which has no rows before it.
                batch.BatchCommands[^1].AppendErrorBarrier = true;
                batch.BatchCommands.Add(new NpgsqlBatchCommand(Standbys.CurrentPosition));
            }
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var result = await read(reader).ConfigureAwait(false);
            if (scopes.Count > 0)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var written = new ConsistencyToken(reader.GetFieldValue<NpgsqlLogSequenceNumber>(0));
                foreach (var scope in scopes)
                    scope.Advance(written);
            }
            return result;
        }
        catch (NpgsqlException e) when (PostgresErrors.Translate(e) is { } known)
        {
            throw known;
        }
    }

    private System.Diagnostics.Activity? StartActivity(string caller, string operation)
    {
        var name = ChatDataTelemetry.OperationName(caller, operation);
        var activity = ChatDataTelemetry.Source.StartActivity(name, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "postgresql");
            activity.SetTag("db.operation.name", name);
            activity.SetTag("db.namespace", _databaseName);
            activity.SetTag("chat_data.schema", Schema);
        }
        return activity;
    }

    private static void RecordDuration(long started, string caller, string operation, string? errorType)
    {
        var tags = new TagList
        {
            { "db.system.name", "postgresql" },
            { "db.operation.name", ChatDataTelemetry.OperationName(caller, operation) },
        };
        if (errorType is not null)
            tags.Add("error.type", errorType);
        ChatDataTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}
