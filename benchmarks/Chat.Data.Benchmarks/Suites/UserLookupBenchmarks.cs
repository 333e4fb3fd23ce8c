using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Chat.Data.Benchmarks.Baselines;
using Chat.Data.Benchmarks.Host;
using Chat.Data.Benchmarks.Seeding;
using Chat.Data.Users;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Data.Benchmarks.Suites;

/// <summary>User lookups, three ways: Chat.Data, EF Core, and hand-written Npgsql (the baseline of each group).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class UserLookupBenchmarks
{
    private const string FindById = "Find by id";
    private const string FindByPhones = "Find by 1,000 phones";
    private const int SampleSize = 10_000;
    private const int PhonesPerLookup = 1_000;
    private const int PhoneLists = 8;

    private ServiceProvider _services = null!;
    private IUserRepository _chatData = null!;
    private EfCoreUsers _efCore = null!;
    private NpgsqlDataSource _dataSource = null!;
    private HandWrittenUsers _handWritten = null!;

    // Every benchmark gets a new instance, so each way walks the same sequence from the start.
    private Guid[] _ids = [];
    private string[][] _phoneLists = [];
    private int _nextId;
    private int _nextPhoneList;

    // Synchronous wrappers: BenchmarkDotNet 0.14's in-process toolchain does not await async setup and cleanup.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var connectionString = BenchDatabase.ConnectionString;
        var services = new ServiceCollection();
        services.AddChatData(o => { o.ConnectionString = connectionString; });
        _services = services.BuildServiceProvider();
        _chatData = _services.GetRequiredService<IUserRepository>();
        _efCore = new EfCoreUsers(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _handWritten = new HandWrittenUsers(_dataSource);

        await LoadSampleAsync();
        await CheckSameResultsAsync();
    }

    private async Task CleanupAsync()
    {
        await _services.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(FindById)]
    public Task<User?> FindByIdChatData() => _chatData.FindByIdAsync(NextId());

    [Benchmark(Description = "EFCore"), BenchmarkCategory(FindById)]
    public Task<User?> FindByIdEfCore() => _efCore.FindByIdAsync(NextId());

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(FindById)]
    public Task<User?> FindByIdNpgsql() => _handWritten.FindByIdAsync(NextId());

    [Benchmark(Description = "Chat.Data"), BenchmarkCategory(FindByPhones)]
    public Task<IReadOnlyList<User>> FindByPhonesChatData() => _chatData.FindByPhonesAsync(NextPhoneList());

    [Benchmark(Description = "EFCore"), BenchmarkCategory(FindByPhones)]
    public Task<List<User>> FindByPhonesEfCore() => _efCore.FindByPhonesAsync(NextPhoneList());

    [Benchmark(Description = "NpgsqlByHand", Baseline = true), BenchmarkCategory(FindByPhones)]
    public Task<List<User>> FindByPhonesNpgsql() => _handWritten.FindByPhonesAsync(NextPhoneList());

    private Guid NextId()
    {
        var id = _ids[_nextId];
        _nextId = (_nextId + 1) % _ids.Length;
        return id;
    }

    private string[] NextPhoneList()
    {
        var phones = _phoneLists[_nextPhoneList];
        _nextPhoneList = (_nextPhoneList + 1) % _phoneLists.Length;
        return phones;
    }

    /// <summary>
    /// Random existing users, the same ones on every run over the same seed (ordered by a hash of the id).
    /// Each phone list alternates a registered phone with one nobody has: half hit, half miss.
    /// </summary>
    private async Task LoadSampleAsync()
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT id, phone FROM {BenchDatabase.Schema}.users ORDER BY md5(id::text) LIMIT {SampleSize}");
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>(SampleSize);
        var phones = new List<string>(SampleSize);
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
            phones.Add(reader.GetString(1));
        }
        if (ids.Count < SampleSize)
            throw new InvalidOperationException($"The benchmark database holds {ids.Count} users; every seed scale makes at least {SampleSize:N0}.");

        _ids = [.. ids];
        _phoneLists = new string[PhoneLists][];
        var registered = 0;
        var unregistered = 0;
        for (var list = 0; list < PhoneLists; list++)
        {
            _phoneLists[list] = new string[PhonesPerLookup];
            for (var i = 0; i < PhonesPerLookup; i++)
                _phoneLists[list][i] = i % 2 == 0 ? phones[registered++] : DataSeeder.UnregisteredPhone(unregistered++);
        }
    }

    /// <summary>Fails the run when the three ways disagree: a faster wrong answer is no result.</summary>
    private async Task CheckSameResultsAsync()
    {
        var id = _ids[0];
        var expected = await _handWritten.FindByIdAsync(id) ?? throw new InvalidOperationException($"User {id} was not found by hand-written Npgsql.");
        if (await _chatData.FindByIdAsync(id) != expected || await _efCore.FindByIdAsync(id) != expected)
            throw new InvalidOperationException($"Chat.Data, EF Core and hand-written Npgsql return different users for id {id}.");

        var phones = _phoneLists[0];
        var counts = new[]
        {
            (await _handWritten.FindByPhonesAsync(phones)).Count,
            (await _chatData.FindByPhonesAsync(phones)).Count,
            (await _efCore.FindByPhonesAsync(phones)).Count,
        };
        if (counts.Any(c => c != PhonesPerLookup / 2))
        {
            throw new InvalidOperationException(
                $"Find by {PhonesPerLookup} phones should find {PhonesPerLookup / 2} users; hand-written Npgsql, Chat.Data and EF Core found {string.Join(", ", counts)}.");
        }
    }
}
