using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace Chat.Data.Internal;

/// <summary>
/// The shared data source and schema every repository runs its SQL through. SQL templates name
/// tables as <c>{schema}.table</c>; each is rendered once for the configured schema and cached.
/// Database errors the library knows are translated here, so no repository repeats it.
/// </summary>
internal sealed class ChatDatabase : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _rendered = new();
    private readonly string _quotedSchema;
    private readonly bool _ownsDataSource;

    public ChatDatabase(NpgsqlDataSource dataSource, string schema, bool ownsDataSource)
    {
        DataSource = dataSource;
        Schema = SchemaName.Validate(schema);
        _quotedSchema = SchemaName.Quote(Schema);
        _ownsDataSource = ownsDataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    public string Schema { get; }

    /// <summary>The template with <c>{schema}</c> replaced by the quoted schema name.</summary>
    public string Sql(string template) =>
        _rendered.GetOrAdd(template, static (t, schema) => t.Replace("{schema}", schema, StringComparison.Ordinal), _quotedSchema);

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await connection.ExecuteReaderAsync(Command(sql, param, cancellationToken)).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex) is { } error)
        {
            throw error;
        }
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? param, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await connection.ExecuteReaderAsync(Command(sql, param, cancellationToken)).ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                rows.Add(read(reader));
            return rows;
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex) is { } error)
        {
            throw error;
        }
    }

    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteAsync(Command(sql, param, cancellationToken)).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex) is { } error)
        {
            throw error;
        }
    }

    public async Task<T?> ExecuteScalarAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<T>(Command(sql, param, cancellationToken)).ConfigureAwait(false);
        }
        catch (NpgsqlException ex) when (PostgresErrors.Translate(ex) is { } error)
        {
            throw error;
        }
    }

    private CommandDefinition Command(string sql, object? param, CancellationToken cancellationToken) =>
        new(Sql(sql), param, cancellationToken: cancellationToken);

    public ValueTask DisposeAsync() => _ownsDataSource ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
}
