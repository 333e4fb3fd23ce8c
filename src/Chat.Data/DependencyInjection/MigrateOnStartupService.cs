using Chat.Data.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Chat.Data.DependencyInjection;

/// <summary>Applies pending migrations as the host starts, when <see cref="ChatDataOptions.RunMigrationsOnStartup"/> is set.</summary>
/// <remarks>
/// The migrator is resolved in <see cref="StartAsync"/>, not injected: the host creates its hosted services before it
/// validates options, and building the migrator reads them, so injecting it would report only the first bad option.
/// </remarks>
internal sealed class MigrateOnStartupService(IOptions<ChatDataOptions> options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RunMigrationsOnStartup)
            await services.GetRequiredService<IChatDataMigrator>().MigrateUpAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
