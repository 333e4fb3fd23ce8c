using System.Diagnostics;
using Npgsql;

namespace Chat.Data.Benchmarks.Seeding;

/// <summary>
/// Makes a table ready for a bulk COPY, inside the caller's transaction: drops its foreign keys (its own and those
/// that reference it), its key constraints, its other indexes and its trailing stored generated columns, and
/// puts them back after the COPY from the definitions PostgreSQL gave before the drop, so the migration's
/// definitions are kept exactly. COPY then only appends rows: no index, foreign-key check or generated value is
/// maintained row by row, and the restore builds each index once by sorting, checks each key and foreign key in one
/// pass, and computes the generated columns in one rewrite. All of it is transactional DDL: a load that fails or is
/// killed rolls back to the table as it was, never to one without its indexes.
/// </summary>
/// <remarks>
/// Only trailing generated columns are dropped (re-adding appends, so the column order stays the migration's); each
/// drop and re-add leaves one dropped-column slot in the catalog, as any ALTER TABLE DROP COLUMN does.
/// A re-added column gets back the statistics target the migrations gave it.
/// </remarks>
internal static class BulkLoad
{
    /// <summary>
    /// Runs <paramref name="copy"/>, the COPY of <paramref name="rows"/> into <paramref name="table"/> (schema-qualified),
    /// between a drop and a restore, logging the COPY's rate, what the restore took (the slowest first), and the rate end to end.
    /// </summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string table, long rows, Func<Task> copy, TextWriter log)
    {
        var restore = await DropAsync(connection, table);
        var stopwatch = Stopwatch.StartNew();
        await copy();
        var copied = stopwatch.Elapsed;
        var made = await RestoreAsync(connection, restore);
        var slowest = string.Join(", ", made.OrderByDescending(m => m.Took).Take(5).Select(m => $"{m.Name} {m.Took.TotalSeconds:F1} s"));
        log.WriteLine(
            $"Seed: {DataSeeder.Rate(rows, table, copied)} by COPY; then its {made.Count} indexes, keys, foreign keys and generated " +
            $"columns in {(stopwatch.Elapsed - copied).TotalSeconds:F1} s ({slowest}); {rows / stopwatch.Elapsed.TotalSeconds:N0} rows/s end to end.");
    }

    /// <summary>Drops what slows a COPY into <paramref name="table"/>, returning the statements that make it again, in order.</summary>
    private static async Task<List<(string Name, string Create)>> DropAsync(NpgsqlConnection connection, string table)
    {
        // Dropped in drop_order, foreign keys first, so no drop needs CASCADE: anything else that depends on what goes
        // fails the drop rather than vanishing. Restored in restore_order: generated columns (the one rewrite of the
        // table, before any index exists), keys, indexes, then the foreign keys, which need the keys.
        var definitions = new List<(int DropOrder, string Name, string Drop, string Create)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT 1 AS drop_order, 4 AS restore_order, 0 AS position, c.conname::text,
                   format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
            FROM pg_constraint c
            WHERE c.contype = 'f' AND (c.conrelid = $1::regclass OR c.confrelid = $1::regclass)
            UNION ALL
            SELECT 2, 2, 0, c.conname::text,
                   format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
            FROM pg_constraint c
            WHERE c.contype IN ('p', 'u', 'x') AND c.conrelid = $1::regclass
            UNION ALL
            SELECT 3, 3, 0, i.indexrelid::regclass::text, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = $1::regclass
              AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
            UNION ALL
            SELECT 4, 1, a.attnum, a.attname::text,
                   format('ALTER TABLE %s DROP COLUMN %I', a.attrelid::regclass, a.attname),
                   format('ALTER TABLE %s ADD COLUMN %I %s%s GENERATED ALWAYS AS (%s) STORED', a.attrelid::regclass, a.attname,
                          format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END, pg_get_expr(d.adbin, d.adrelid))
                   || CASE WHEN a.attstattarget >= 0
                           THEN format('; ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', a.attrelid::regclass, a.attname, a.attstattarget)
                           ELSE '' END
            FROM pg_attribute a
            JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = $1::regclass AND a.attgenerated = 's' AND NOT a.attisdropped
              AND NOT EXISTS (SELECT FROM pg_attribute later
                              WHERE later.attrelid = a.attrelid AND later.attnum > a.attnum AND NOT later.attisdropped AND later.attgenerated <> 's')
            ORDER BY restore_order, position, 4
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                definitions.Add((reader.GetInt32(0), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        }

        foreach (var (_, _, drop, _) in definitions.OrderBy(d => d.DropOrder))
            await ExecuteAsync(connection, drop);
        return [.. definitions.Select(d => (d.Name, d.Create))];
    }

    /// <summary>Makes again everything the drop took, returning how long each took.</summary>
    private static async Task<List<(string Name, TimeSpan Took)>> RestoreAsync(NpgsqlConnection connection, List<(string Name, string Create)> restore)
    {
        // For this transaction only: index builds sort in memory (and btree builds share it with their parallel workers).
        await ExecuteAsync(connection, "SET LOCAL maintenance_work_mem = '1GB'");
        var took = new List<(string, TimeSpan)>(restore.Count);
        foreach (var (name, create) in restore)
        {
            var stopwatch = Stopwatch.StartNew();
            await ExecuteAsync(connection, create);
            took.Add((name, stopwatch.Elapsed));
        }
        return took;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
