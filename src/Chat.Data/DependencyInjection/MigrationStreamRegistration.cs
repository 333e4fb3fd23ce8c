using Chat.Data.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.DependencyInjection;

internal static class MigrationStreamRegistration
{
    /// <summary>Adds a package's migrations to the registered migrator, once, after those added before.</summary>
    public static void AddMigrationStream(this IServiceCollection services, MigrationStream stream)
    {
        if (!services.Any(d => d.ServiceType == typeof(MigrationStream) && d.ImplementationInstance == stream))
            services.AddSingleton(stream);
    }
}
