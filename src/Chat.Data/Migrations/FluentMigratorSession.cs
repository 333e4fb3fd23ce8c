using System.Diagnostics;
using Chat.Data.Internal;
using FluentMigrator;
using FluentMigrator.Runner;
using FluentMigrator.Runner.Initialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Chat.Data.Migrations;

/// <summary>
/// FluentMigrator for one call of the migrator: its services in a container of their own (the host's
/// gets none of them), working on the migrator's open connection. Synchronous, as FluentMigrator is.
/// </summary>
internal sealed class FluentMigratorSession : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IServiceScope _scope;
    private readonly MigrationRunner _runner;
    private readonly string _schema;
    private readonly string _checksumTable;

    /// <summary>Builds the runner, and creates FluentMigrator's version table when it is missing.</summary>
    public FluentMigratorSession(NpgsqlConnection connection, string schema, MigrationStream stream)
    {
        _schema = SchemaName.Quote(schema);
        _checksumTable = $"{_schema}.{stream.ChecksumTable}";

        var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => runner
                .AddPostgres15_0()
                .WithVersionTable(new VersionTableMetaData(schema, stream.VersionTable))
                // Without a connection string FluentMigrator swaps in a processor that does nothing. This one
                // is never opened: the processor works on the connection it is given.
                .WithGlobalConnectionString("the migrator's open connection")
                // No timeout: a migration of a large table takes as long as it takes.
                .WithGlobalCommandTimeout(TimeSpan.Zero));
        services.AddSingleton<IMigrationSourceItem>(stream);
        services.AddSingleton(connection);
        services.Replace(ServiceDescriptor.Scoped<IMigrationProcessor, OpenConnectionProcessor>());

        _services = services.BuildServiceProvider();
        _scope = _services.CreateScope();
        // The per-migration steps are public on the runner class, not on its interface.
        _runner = (MigrationRunner)_scope.ServiceProvider.GetRequiredService<IMigrationRunner>();
        _runner.LoadVersionInfoIfRequired();
    }

    /// <summary>
    /// Runs one migration up or down in one transaction, which also sets the search path to the schema
    /// (the scripts name none) and adds or removes the script's checksum.
    /// </summary>
    public TimeSpan Run(MigrationScript script, bool up)
    {
        var migration = _runner.MigrationLoader.LoadMigrations()[script.Version];
        var processor = _runner.Processor;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // FluentMigrator joins this transaction instead of starting its own.
            using var transaction = _runner.BeginScope();
            processor.Execute($"SET LOCAL search_path TO {_schema}, public");
            if (up)
            {
                _runner.ApplyMigrationUp(migration, useTransaction: true);
                processor.Execute($"INSERT INTO {_checksumTable} (version, checksum, duration_ms) VALUES ({script.Version}, '{script.Checksum}', {stopwatch.ElapsedMilliseconds})");
            }
            else
            {
                _runner.ApplyMigrationDown(migration, useTransaction: true);
                processor.Execute($"DELETE FROM {_checksumTable} WHERE version = {script.Version}");
            }
            transaction.Complete();
        }
        catch (Exception ex)
        {
            // FluentMigrator wraps the server's error in one that repeats the whole script.
            var cause = ex.InnerException ?? ex;
            var fileName = up ? script.FileName : script.DownFileName;
            throw new MigrationException($"{fileName} failed: {(cause is PostgresException postgres ? postgres.MessageText : cause.Message)}", fileName, cause);
        }
        return stopwatch.Elapsed;
    }

    public void Dispose()
    {
        _scope.Dispose();
        _services.Dispose();
    }
}
