using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Chats;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>
/// Get or create a direct chat (opening a conversation with someone), three ways: Chat.Data, EF Core, and
/// hand-written Npgsql (the baseline of each group). The common case finds the chat; the other creates it.
/// </summary>
/// <remarks>
/// Each create invocation takes a pair of users who have no direct chat (nor a block) between them, from a pool of
/// <see cref="PoolUsers"/> users: its pairs are split between the ways, about 166,000 each. The chats the run
/// created are deleted by the cleanup, so the seeded database is left as it was.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DirectChatBenchmarks
{
    private const string Get = "Get or create direct chat: exists";
    private const string Create = "Get or create direct chat: creates";
    private const int PoolUsers = 1_000;

    private ConversationWays _ways = null!;
    private Guid[] _pool = [];
    private DateTime _started;
    private (Guid A, Guid B) _existing;
    private PairCursor[] _pairs = [];

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Get)]
    public Task<ChatRoom> GetChatData() => _ways.ChatDataChats.GetOrCreateDirectAsync(_existing.A, _existing.B);

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Get)]
    public Task<ChatRoom> GetEfCore() => _ways.EfCoreChats.GetOrCreateDirectAsync(_existing.A, _existing.B);

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Get)]
    public Task<ChatRoom> GetNpgsql() => _ways.HandWrittenChats.GetOrCreateDirectAsync(_existing.A, _existing.B);

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(Create)]
    public Task<ChatRoom> CreateChatData()
    {
        var (a, b) = _pairs[0].Next();
        return _ways.ChatDataChats.GetOrCreateDirectAsync(a, b);
    }

    [Benchmark(Description = "EFCore"), BenchmarkCategory(Create)]
    public Task<ChatRoom> CreateEfCore()
    {
        var (a, b) = _pairs[1].Next();
        return _ways.EfCoreChats.GetOrCreateDirectAsync(a, b);
    }

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(Create)]
    public Task<ChatRoom> CreateNpgsql()
    {
        var (a, b) = _pairs[2].Next();
        return _ways.HandWrittenChats.GetOrCreateDirectAsync(a, b);
    }

    private async Task SetupAsync()
    {
        _ways = await ConversationWays.CreateAsync();
        var sample = _ways.Sample;
        // The newest users, none of those other benchmarks read, and no pair of them with a chat or a block already.
        _pool = await QueryAsync(
            $"SELECT u.id FROM {BenchDatabase.Schema}.users u WHERE u.id <> ALL($1) ORDER BY u.id DESC LIMIT {PoolUsers}",
            [sample.BenchUser, sample.Sender, .. sample.Readers]);
        if (_pool.Length < PoolUsers)
            throw new InvalidOperationException($"The benchmark database has {_pool.Length} users to pair, not {PoolUsers}.");
        var taken = await TakenPairsAsync();
        _started = (DateTime)(await ScalarAsync("SELECT now()"))!;
        _pairs = [.. Enumerable.Range(0, 3).Select(way => new PairCursor(_pool, taken, way, ways: 3))];

        // The existing chat: the first free pair, created here (the cleanup deletes it with the rest).
        var probe = new PairCursor(_pool, taken, way: 0, ways: 1);
        _existing = probe.Next();
        taken.Add(PairCursor.Key(Array.IndexOf(_pool, _existing.A), Array.IndexOf(_pool, _existing.B)));
        try
        {
            await CheckSameResultsAsync();
        }
        catch
        {
            // BenchmarkDotNet skips the cleanup of a failed setup: chats left behind would change the seed's counts.
            await CleanupAsync();
            throw;
        }
    }

    private async Task CheckSameResultsAsync()
    {
        var (a, b) = _existing;
        var created = await _ways.ChatDataChats.GetOrCreateDirectAsync(a, b);
        Agree.Require(created is { Type: Chats.ChatType.Direct, MemberCount: 2 } && created.CreatedBy == a, Get + " (expected a new direct chat)");
        Agree.Require(await _ways.EfCoreChats.GetOrCreateDirectAsync(a, b) == created, Get);
        Agree.Require(await _ways.HandWrittenChats.GetOrCreateDirectAsync(b, a) == created, Get);
        Agree.Require(await _ways.ChatDataChats.GetOrCreateDirectAsync(b, a) == created, Get);

        // Each way creates one chat; each is then found, the same, by the others.
        var chats = new[]
        {
            (Pair: _pairs[0].Next(), Way: (Func<Guid, Guid, Task<ChatRoom>>)((x, y) => _ways.ChatDataChats.GetOrCreateDirectAsync(x, y))),
            (Pair: _pairs[1].Next(), Way: _ways.EfCoreChats.GetOrCreateDirectAsync),
            (Pair: _pairs[2].Next(), Way: _ways.HandWrittenChats.GetOrCreateDirectAsync),
        };
        foreach (var (pair, way) in chats)
        {
            var chat = await way(pair.A, pair.B);
            Agree.Require(
                chat is { Type: Chats.ChatType.Direct, MemberCount: 2, LastSeq: 0, Name: null, DeletedAt: null } && chat.CreatedBy == pair.A &&
                await _ways.ChatDataChats.GetOrCreateDirectAsync(pair.B, pair.A) == chat &&
                await _ways.EfCoreChats.GetOrCreateDirectAsync(pair.B, pair.A) == chat &&
                await _ways.HandWrittenChats.GetOrCreateDirectAsync(pair.B, pair.A) == chat,
                Create);
        }
    }

    private async Task CleanupAsync()
    {
        // Deleting a chat deletes its members and read marks: every direct chat among the pool made since the setup began.
        await using (var command = _ways.DataSource.CreateCommand(
            $"DELETE FROM {BenchDatabase.Schema}.chats c WHERE c.direct_key IS NOT NULL AND c.created_by = ANY($1) AND c.created_at >= $2"))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = _pool });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = _started });
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync();
        }
        await _ways.DisposeAsync();
    }

    /// <summary>The pairs of pool users (by position) that already have a direct chat, or a block either way.</summary>
    private async Task<HashSet<long>> TakenPairsAsync()
    {
        var position = _pool.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        await using var command = _ways.DataSource.CreateCommand(
            $"""
            SELECT split_part(c.direct_key, ':', 1)::uuid, split_part(c.direct_key, ':', 2)::uuid
            FROM {BenchDatabase.Schema}.chats c WHERE c.direct_key IS NOT NULL
            UNION ALL
            SELECT b.blocker_id, b.blocked_id FROM {BenchDatabase.Schema}.user_blocks b
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var taken = new HashSet<long>();
        while (await reader.ReadAsync())
        {
            if (position.TryGetValue(reader.GetGuid(0), out var i) && position.TryGetValue(reader.GetGuid(1), out var j))
                taken.Add(PairCursor.Key(i, j));
        }
        return taken;
    }

    private async Task<Guid[]> QueryAsync(string sql, Guid[] parameter)
    {
        await using var command = _ways.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = parameter });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
            ids.Add(reader.GetGuid(0));
        return [.. ids];
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _ways.DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// Walks the pairs (i &lt; j) of the pool's users in order, taking every <c>ways</c>-th (from the <c>way</c>-th) that
    /// is not taken: each way its own pairs, without allocating in the measured call.
    /// </summary>
    private sealed class PairCursor(Guid[] users, HashSet<long> taken, int way, int ways)
    {
        private int _i;
        private int _j;
        private long _index = -1;

        public static long Key(int i, int j) => (long)Math.Min(i, j) * int.MaxValue + Math.Max(i, j);

        public (Guid A, Guid B) Next()
        {
            do
            {
                Step();
            }
            while (_index % ways != way || taken.Contains(Key(_i, _j)));
            return (users[_i], users[_j]);
        }

        private void Step()
        {
            _index++;
            if (_index == 0)
                (_i, _j) = (0, 1);
            else if (++_j == users.Length)
                (_i, _j) = (_i + 1, _i + 2);
            if (_j >= users.Length)
                throw new InvalidOperationException($"Every pair of the {users.Length} pool users is used: the job runs more creates than the pool allows.");
        }
    }
}
