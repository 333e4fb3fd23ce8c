using System.CommandLine;
using System.Globalization;
using Chat.Data;
using Chat.Data.Cli;
using Chat.Data.Documents.Migrations;
using Chat.Data.Migrations;
using Npgsql;

const string ConnectionVariable = "CHATDATA_CONNECTION";

// No DefaultValueFactory for the environment variable: help would print the connection string, password and all.
var connection = new Option<string?>("--connection")
{
    HelpName = "STRING",
    Description = $"PostgreSQL connection string (default: the {ConnectionVariable} environment variable).",
};
var schema = new Option<string>("--schema")
{
    HelpName = "NAME",
    Description = "The schema holding the Chat.Data tables.",
    DefaultValueFactory = _ => ChatDataOptions.DefaultSchema,
};

var documents = new Option<bool>("--documents")
{
    Description = "Also the Chat.Data.Documents migrations: applied after the chat core's, reverted before them.",
};

var upTo = new Option<long?>("--to") { HelpName = "VERSION", Description = "Stop after this version (default: the latest)." };
upTo.Validators.Add(r => { if (r.GetValueOrDefault<long?>() < 1) r.AddError("--to must be a version of 1 or more."); });
var up = new Command("up", "Apply pending migrations.") { upTo };
up.SetAction((parse, ct) => WithMigratorAsync(parse, async migrator =>
    PrintRuns(await migrator.MigrateUpAsync(parse.GetValue(upTo), ct), "Applied", "Nothing to apply: the schema is up to date.")));

var steps = new Option<int?>("--steps") { HelpName = "N", Description = "How many applied migrations to revert, newest first (default 1)." };
steps.Validators.Add(r => { if (r.GetValueOrDefault<int?>() < 1) r.AddError("--steps must be 1 or more."); });
var downTo = new Option<long?>("--to") { HelpName = "VERSION", Description = "Revert every migration newer than this version; 0 reverts all." };
downTo.Validators.Add(r => { if (r.GetValueOrDefault<long?>() < 0) r.AddError("--to must be 0 or more."); });
var down = new Command("down", "Revert applied migrations (the last one unless --steps or --to says otherwise).") { steps, downTo };
down.Validators.Add(r => { if (r.GetResult(steps) is not null && r.GetResult(downTo) is not null) r.AddError("Use --steps or --to, not both."); });
down.SetAction((parse, ct) => WithMigratorAsync(parse, async migrator =>
{
    var runs = parse.GetValue(downTo) is { } target
        ? await migrator.MigrateDownToAsync(target, ct)
        : await migrator.MigrateDownAsync(parse.GetValue(steps) ?? 1, ct);
    PrintRuns(runs, "Reverted", "Nothing to revert.");
}));

var status = new Command("status", "List every migration with its state in the database.");
status.SetAction((parse, ct) => WithMigratorAsync(parse, async migrator => PrintStatus(await migrator.GetStatusAsync(ct))));

foreach (var command in (Command[])[up, down, status])
{
    command.Add(connection);
    command.Add(schema);
    command.Add(documents);
    // Parse errors, so a missing or malformed connection string exits like any other usage error.
    command.Validators.Add(r =>
    {
        if (ConnectionString(r.GetValue(connection)) is not { } value)
        {
            r.AddError($"No connection string: pass --connection or set {ConnectionVariable}.");
            return;
        }
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException ex)
        {
            r.AddError($"The connection string is invalid: {ex.Message}");
        }
    });
}

var name = new Argument<string>("NAME")
{
    Description = "What the migration does, for example add_things (normalised to lower snake case).",
    CustomParser = r =>
    {
        var normalised = MigrationScaffold.NormaliseName(r.Tokens[0].Value);
        if (normalised is null)
            r.AddError($"'{r.Tokens[0].Value}' is not a migration name: use letters, digits and underscores (a-z, 0-9, _).");
        return normalised;
    },
};
var dir = new Option<DirectoryInfo>("--dir") { HelpName = "FOLDER", Description = "The folder holding the migrations.", Required = true };
var create = new Command("create", "Write the next numbered migration: empty scripts NNNN_NAME.up.sql and NNNN_NAME.down.sql, and NNNN_NAME.cs, the class that runs them.") { name, dir };
create.SetAction(parse =>
{
    try
    {
        var (classPath, upPath, downPath) = MigrationScaffold.Create(parse.GetValue(dir)!.FullName, parse.GetValue(name)!);
        Console.WriteLine(classPath);
        Console.WriteLine(upPath);
        Console.WriteLine(downPath);
        return 0;
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 1;
    }
});

var root = new RootCommand("Chat.Data schema migrations.")
{
    new Command("migrate", "Apply, revert, list or create schema migrations.") { up, down, status, create },
};

var parsed = root.Parse(args);
var exitCode = await parsed.InvokeAsync();
// System.CommandLine reports usage errors with 1; 2 keeps them apart from failed migrations.
return parsed.Errors.Count > 0 ? 2 : exitCode;

async Task<int> WithMigratorAsync(ParseResult parse, Func<ChatDataMigrator, Task> work)
{
    try
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString(parse.GetValue(connection))!);
        MigrationStream[] streams = parse.GetValue(documents) ? [MigrationStream.Chat, DocumentsMigrationStream.Instance] : [MigrationStream.Chat];
        await work(new ChatDataMigrator(dataSource, parse.GetValue(schema)!, streams, logger: null));
        return 0;
    }
    catch (Exception ex) when (ex is ChatDataException or NpgsqlException)
    {
        // Npgsql's "Failed to connect" says why only in the inner exception.
        var reason = ex is NpgsqlException { InnerException: { } inner } and not PostgresException ? $"{ex.Message}: {inner.Message}" : ex.Message;
        Console.Error.WriteLine($"error: {reason}");
        return 1;
    }
}

static string? ConnectionString(string? option) => option ?? Environment.GetEnvironmentVariable(ConnectionVariable);

static void PrintRuns(IReadOnlyList<MigrationRun> runs, string verb, string nothing)
{
    if (runs.Count == 0)
        Console.WriteLine(nothing);
    foreach (var run in runs)
        Console.WriteLine($"{verb} {run.Stream} {run.Version:D4}_{run.Name} in {Milliseconds(run.Duration)}");
}

static void PrintStatus(IReadOnlyList<MigrationStatus> statuses)
{
    var rows = statuses
        .Select(s => new[]
        {
            s.Stream,
            s.Version.ToString("D4", CultureInfo.InvariantCulture),
            s.Name,
            s.State.ToString(),
            s.AppliedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
            s.Duration is { } duration ? Milliseconds(duration) : "-",
        })
        .Prepend(["STREAM", "VERSION", "NAME", "STATE", "APPLIED AT (UTC)", "DURATION"])
        .ToList();
    var widths = Enumerable.Range(0, 6).Select(column => rows.Max(row => row[column].Length)).ToArray();
    foreach (var row in rows)
        Console.WriteLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
}

static string Milliseconds(TimeSpan duration) => duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
