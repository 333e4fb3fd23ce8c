using System.Diagnostics;
using Chat.Data.Tests.Infrastructure;

namespace Chat.Data.Tests.Cli;

/// <summary>
/// The chat-data tool (src/Chat.Data.Cli), run as a process the way a person runs it, against an empty
/// database of its own.
/// </summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateEmptyAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Migrate_status_up_and_down_work_against_a_real_database()
    {
        var connection = $"--connection={_database.ConnectionString}";

        var pending = await RunAsync("migrate", "status", connection);
        var up = await RunAsync("migrate", "up", connection);
        var applied = await RunAsync("migrate", "status", connection);
        var down = await RunAsync("migrate", "down", "--to", "0", connection);

        Assert.Equal(0, pending.ExitCode);
        Assert.Matches(@"0001\s+users\s+Pending", pending.Output);
        Assert.Equal(0, up.ExitCode);
        Assert.Contains("Applied chat 0001_users", up.Output);
        Assert.Matches(@"0001\s+users\s+Applied", applied.Output);
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("Reverted chat 0001_users", down.Output);
        Assert.DoesNotContain("documents", up.Output + applied.Output + down.Output);
    }

    [Fact]
    public async Task With_documents_the_documents_migrations_run_after_the_chat_cores_and_are_reverted_first()
    {
        var connection = $"--connection={_database.ConnectionString}";

        var up = await RunAsync("migrate", "up", "--documents", connection);
        var status = await RunAsync("migrate", "status", "--documents", connection);
        var down = await RunAsync("migrate", "down", "--documents", connection);

        Assert.Equal(0, up.ExitCode);
        Assert.Matches(@"Applied chat \d{4}_\w+ in \d+ ms\s+Applied documents 0001_documents in", up.Output);
        Assert.Matches(@"documents\s+0001\s+documents\s+Applied", status.Output);
        Assert.Equal(0, down.ExitCode);
        Assert.StartsWith("Reverted documents 0001_documents in ", Assert.Single(down.Output.Trim().Split('\n')));
    }

    [Fact]
    public async Task The_connection_can_come_from_the_environment_and_the_schema_is_honoured()
    {
        var result = await RunAsync(["migrate", "up", "--schema", "cli_schema"], new() { ["CHATDATA_CONNECTION"] = _database.ConnectionString });

        Assert.Equal(0, result.ExitCode);
        var status = await RunAsync("migrate", "status", "--schema", "cli_schema", $"--connection={_database.ConnectionString}");
        Assert.Contains("Applied", status.Output);
        Assert.Contains("Pending", (await RunAsync("migrate", "status", $"--connection={_database.ConnectionString}")).Output);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_database_errors_exit_1_with_the_message()
    {
        var noConnection = await RunAsync(["migrate", "up"], new() { ["CHATDATA_CONNECTION"] = null });
        var unknownTarget = await RunAsync("migrate", "up", "--to", "999", $"--connection={_database.ConnectionString}");

        Assert.Equal(2, noConnection.ExitCode);
        Assert.Contains("--connection", noConnection.Error);
        Assert.Equal(1, unknownTarget.ExitCode);
        Assert.Contains("0999", unknownTarget.Error);
    }

    [Fact]
    public async Task Create_writes_the_next_numbered_scripts_and_their_class_into_the_folder()
    {
        var folder = Directory.CreateTempSubdirectory("chat-data-cli-").FullName;
        try
        {
            Assert.Equal(0, (await RunAsync("migrate", "create", "AddThings", "--dir", folder)).ExitCode);
            Assert.Equal(0, (await RunAsync("migrate", "create", "more-things", "--dir", folder)).ExitCode);

            Assert.Equal(
                ["0001_add_things.cs", "0001_add_things.down.sql", "0001_add_things.up.sql", "0002_more_things.cs", "0002_more_things.down.sql", "0002_more_things.up.sql"],
                Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            var migration = await File.ReadAllTextAsync(Path.Combine(folder, "0002_more_things.cs"));
            Assert.Contains("""[Migration(2, "more_things")]""", migration);
            Assert.Contains("internal sealed class Migration0002MoreThings : SqlScriptMigration;", migration);
            Assert.Equal(2, (await RunAsync("migrate", "create", "café", "--dir", folder)).ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, []);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chat-data.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output, await error);
    }
}
