using Microsoft.Extensions.DependencyInjection;

namespace Chat.Data.Tests.Infrastructure;

/// <summary>Chat.Data composed against a fixture's database with options other than the defaults.</summary>
public static class ServicesWithOptions
{
    public static ServiceProvider Build(DatabaseFixture db, Action<ChatDataOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddChatData(o =>
        {
            o.ConnectionString = db.Database.ConnectionString;
            configure(o);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
