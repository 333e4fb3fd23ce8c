using FluentMigrator.Runner.Generators.Postgres;
using FluentMigrator.Runner.Initialization;
using FluentMigrator.Runner.Processors;
using FluentMigrator.Runner.Processors.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Chat.Data.Migrations;

/// <summary>
/// FluentMigrator's PostgreSQL 15 processor on a connection the migrator opened from the library's data
/// source (so a host's password provider, certificates and pool apply) and lends it: the migrator holds
/// the migration lock on that connection and closes it itself.
/// </summary>
internal sealed class OpenConnectionProcessor : Postgres15_0Processor
{
    public OpenConnectionProcessor(
        NpgsqlConnection connection,
        PostgresDbFactory factory,
        Postgres15_0Generator generator,
        ILogger<Postgres15_0Processor> logger,
        IOptionsSnapshot<ProcessorOptions> options,
        IConnectionStringAccessor connectionStringAccessor,
        PostgresOptions postgresOptions)
        : base(factory, generator, logger, options, connectionStringAccessor, postgresOptions)
    {
        Connection = connection;
    }

    // Leaves the connection open: only a transaction left unfinished is the processor's to end.
    protected override void Dispose(bool isDisposing)
    {
        if (isDisposing)
            RollbackTransaction();
    }
}
