using Chat.Data;
using Chat.Data.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Chat.Data.DependencyInjection;

/// <summary>Applies pending migrations as the host starts, when <see cref="ChatDataOptions.RunMigrationsOnStartup"/> is set.</summary>
internal sealed class MigrateOnStartupService(IOptions<ChatDataOptions> options, IChatDataMigrator migrator) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RunMigrationsOnStartup)
            await migrator.MigrateUpAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
