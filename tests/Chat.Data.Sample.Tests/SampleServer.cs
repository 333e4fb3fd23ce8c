using System.Net.Http.Json;
using Chat.Data.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Sample.Tests;

/// <summary>
/// The sample app on Kestrel at a free 127.0.0.1 port, in this process, with its own database on the
/// test PostgreSQL (dropped at the end) and the test Redis, from <see cref="TestServers"/>.
/// Fails (never skips) when a server is not there.
/// </summary>
public sealed class SampleServer : IAsyncLifetime
{
    private readonly string adminConnectionString = TestServers.Postgres;

    private readonly string database = "chatdata_sample_test_" + Guid.NewGuid().ToString("N")[..16];

    private SampleFactory? factory;

    /// <summary>The address the browser opens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>A client of the sample's JSON API.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await RunAdminAsync($"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString;
        var redis = TestServers.Redis;

        factory = new SampleFactory(connectionString, redis);
        factory.UseKestrel(port: 0);
        factory.StartServer();

        var addresses = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        Address = new Uri(addresses.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        Http = new HttpClient { BaseAddress = Address };
    }

    /// <summary>Posts JSON and reads the JSON answer, failing on an error status.</summary>
    public async Task<T> PostAsync<T>(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (factory is not null)
            await factory.DisposeAsync();
        await RunAdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    private async Task RunAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server is not reachable ({adminConnectionString}). Start it with `./build.sh services up`, or set CHATDATA_TEST_PG.", ex);
        }
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class SampleFactory(string connectionString, string redis) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder
            .UseSetting("ConnectionStrings:ChatData", connectionString)
            .UseSetting("ConnectionStrings:Redis", redis)
            // The spans would flood the test output.
            .UseSetting("Telemetry:Console", "false");
    }
}
