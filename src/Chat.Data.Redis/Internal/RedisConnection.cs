using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Data.Redis.Internal;

/// <summary>
/// The one door to Redis for every helper: the shared multiplexer, key names, scripts with the
/// <c>NOSCRIPT</c> retry, the operation timeout and the mapping of connection failures to
/// <see cref="RedisUnavailableException"/>.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ChatDataRedisOptions _options;
    private readonly IConnectionMultiplexer? _hostMultiplexer;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _ownMultiplexer;
    // The database of the multiplexer in use, kept: GetDatabase makes a new one on every call in 1.x.
    private IDatabase? _database;
    private bool _disposed;

    public RedisConnection(IOptions<ChatDataRedisOptions> options, IServiceProvider services)
    {
        _options = options.Value;
        // The host's multiplexer wins: one connection per process is how StackExchange.Redis is meant to be used.
        _hostMultiplexer = services.GetService<IConnectionMultiplexer>();
        _database = _hostMultiplexer?.GetDatabase();
        Keys = new RedisKeys(_options.KeyPrefix);
    }

    public RedisKeys Keys { get; }

    public ChatDataRedisOptions Options => _options;

    /// <summary>The shared multiplexer: the host's, or ours, created on first use.</summary>
    public ValueTask<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var multiplexer = _hostMultiplexer ?? Volatile.Read(ref _ownMultiplexer);
        return multiplexer is not null ? new(multiplexer) : new(ConnectAsync(cancellationToken));
    }

    /// <summary>The database of the shared multiplexer, connecting on first use.</summary>
    private ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Volatile.Read(ref _database) is { } database ? new(database) : new(ConnectDatabaseAsync(cancellationToken));
    }

    private async Task<IDatabase> ConnectDatabaseAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return _database!;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ownMultiplexer is not null)
                return _ownMultiplexer;

            var configuration = ConfigurationOptions.Parse(_options.Configuration!);
            _options.ConfigureConnection?.Invoke(configuration);
            // Connect even when Redis is down, and keep reconnecting in the background: the helpers
            // work again after a Redis restart without restarting the host.
            configuration.AbortOnConnectFail = false;
            configuration.ClientName ??= "Chat.Data";

            // Bounded by ConnectTimeout; not cancelled half way, which would leak a live multiplexer.
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            // Pub/sub handlers run concurrently instead of one after the other on a single thread.
            multiplexer.PreserveAsyncOrder = false;
            Volatile.Write(ref _database, multiplexer.GetDatabase());
            Volatile.Write(ref _ownMultiplexer, multiplexer);
            return multiplexer;
        }
        catch (Exception ex) when (ex is RedisConnectionException or TimeoutException)
        {
            throw new RedisUnavailableException(ex);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>The pub/sub side of the shared multiplexer.</summary>
    public async Task<ISubscriber> GetSubscriberAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
        return multiplexer.GetSubscriber();
    }

    /// <summary>True when the multiplexer talks to a Redis Cluster (keys in different slots cannot share a script).</summary>
    public static bool IsCluster(IConnectionMultiplexer multiplexer)
    {
        foreach (var endPoint in multiplexer.GetEndPoints())
        {
            if (multiplexer.GetServer(endPoint).ServerType == ServerType.Cluster)
                return true;
        }
        return false;
    }

    /// <summary>Runs one script: <c>EVALSHA</c>, and the source once more if the server has lost it.</summary>
    /// <remarks>The hot path of rate limits: no closure, and one asynchronous method above <see cref="GuardAsync{T}"/>.</remarks>
    public async Task<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var call = Start(database, (script.Sha1, keys, arguments), static (db, c) => db.ScriptEvaluateAsync(c.Sha1, c.keys, c.arguments));
        try
        {
            return await GuardAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The script cache is empty after a restart, a failover or SCRIPT FLUSH, and the async call of
            // StackExchange.Redis 1.x does not retry by itself. EVAL runs the script and caches it again,
            // so the next call is back on EVALSHA.
            return await ExecuteAsync(db => db.ScriptEvaluateAsync(script.Source, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one operation against the database with the timeout, cancellation and failure mapping.</summary>
    public async Task<T> ExecuteAsync<T>(Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var database = await GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await GuardAsync(Start(database, operation, static (db, op) => op(db)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an operation; StackExchange.Redis throws at once, rather than in the task, when no server is connected.</summary>
    private static Task<T> Start<TState, T>(IDatabase database, TState state, Func<IDatabase, TState, Task<T>> operation)
    {
        try
        {
            return operation(database, state);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new RedisUnavailableException(ex);
        }
    }

    /// <summary>
    /// Awaits a StackExchange.Redis task, which takes no token: the wait ends at the token or
    /// <see cref="ChatDataRedisOptions.OperationTimeout"/>, whichever comes first (the command itself may still run).
    /// </summary>
    public async Task<T> GuardAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Observe(task);
            throw new RedisUnavailableException(ex);
        }
        catch (OperationCanceledException)
        {
            Observe(task);
            throw;
        }
    }

    /// <inheritdoc cref="GuardAsync{T}(Task{T}, CancellationToken)"/>
    public async Task GuardAsync(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            Observe(task);
            throw new RedisUnavailableException(ex);
        }
        catch (OperationCanceledException)
        {
            Observe(task);
            throw;
        }
    }

    /// <summary>
    /// Errors that mean "Redis cannot serve this now" rather than "this call is wrong". Server errors
    /// are told apart by their error code, the first word of the reply (part of the protocol).
    /// </summary>
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        RedisUnavailableException => false, // already mapped
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => server.Message.Split(' ', 2)[0] is
            "LOADING" or "BUSY" or "TRYAGAIN" or "CLUSTERDOWN" or "MASTERDOWN" or "READONLY" or "NOREPLICAS",
        _ => false,
    };

    /// <summary>A task we stopped waiting for may still fail later; observe it so nothing is reported as unobserved.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        // Only our own multiplexer: the host's belongs to the host.
        if (_ownMultiplexer is { } own)
        {
            await own.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            own.Dispose();
        }
        _connectLock.Dispose();
    }
}
