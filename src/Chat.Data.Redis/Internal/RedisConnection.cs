using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Chat.Data.Redis.Internal;

/// <summary>
/// The one door to Redis for every helper: the shared multiplexer, key names, scripts, cancellation and the
/// mapping of connection failures to <see cref="RedisUnavailableException"/>.
/// </summary>
/// <remarks>
/// What StackExchange.Redis does itself is left to it: the time limit of a call (its <c>asyncTimeout</c>),
/// reconnecting and subscribing again after a restart.
/// </remarks>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ChatDataRedisOptions _options;
    private readonly IConnectionMultiplexer? _hostMultiplexer;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private IConnectionMultiplexer? _ownMultiplexer;
    private int _disposed;

    public RedisConnection(IOptions<ChatDataRedisOptions> options, IServiceProvider services)
    {
        _options = options.Value;
        // Without a Configuration, the host's multiplexer (the options validator made sure there is one).
        _hostMultiplexer = string.IsNullOrWhiteSpace(_options.Configuration) ? services.GetRequiredService<IConnectionMultiplexer>() : null;
        Keys = new RedisKeys(_options.KeyPrefix);
    }

    public RedisKeys Keys { get; }

    public ChatDataRedisOptions Options => _options;

    /// <summary>The shared multiplexer: the host's, or ours, created on first use.</summary>
    public ValueTask<IConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var multiplexer = _hostMultiplexer ?? Volatile.Read(ref _ownMultiplexer);
        return multiplexer is not null ? new(multiplexer) : new(ConnectAsync(cancellationToken));
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Checked under the lock DisposeAsync takes: nothing connects after the dispose.
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
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

    /// <summary>
    /// Runs one script: <c>EVALSHA</c>, and the script text once more when the server has lost it (a restart,
    /// a failover, <c>SCRIPT FLUSH</c>); StackExchange.Redis then loads it again, so the next call is back on <c>EVALSHA</c>.
    /// </summary>
    /// <remarks>
    /// Not the client's overload that takes the text and does this by itself: it looks the text up in its cache
    /// of loaded scripts and writes each call as a multi-command message, inside the connection's write lock,
    /// which made 64 concurrent rate-limit checks 7% slower. The hot path of rate limits: no closure, one
    /// asynchronous method above <see cref="GuardAsync{T}"/>.
    /// </remarks>
    public async Task<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] arguments, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string operation = "")
    {
        cancellationToken.ThrowIfCancellationRequested();
        var activity = RedisTelemetry.Start(caller, operation);
        var started = RedisTelemetry.OperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        Exception? error = null;
        try
        {
            var multiplexer = await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
            var call = Start(multiplexer.GetDatabase(), (script.Sha1, keys, arguments), static (db, c) => db.ScriptEvaluateAsync(c.Sha1, c.keys, c.arguments));
            try
            {
                return await GuardAsync(call, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await GuardAsync(Start(multiplexer.GetDatabase(), (script.Source, keys, arguments),
                    static (db, c) => db.ScriptEvaluateAsync(c.Source, c.keys, c.arguments)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (activity is not null || started != 0)
        {
            error = ex;
            throw;
        }
        finally
        {
            if (activity is not null || started != 0)
                RedisTelemetry.Stop(activity, started, caller, operation, error);
        }
    }

    /// <summary>Runs one operation against the database with cancellation and the failure mapping.</summary>
    public async Task<T> ExecuteAsync<T>(Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken,
        [CallerFilePath] string caller = "", [CallerMemberName] string member = "")
    {
        cancellationToken.ThrowIfCancellationRequested();
        var activity = RedisTelemetry.Start(caller, member);
        var started = RedisTelemetry.OperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        Exception? error = null;
        try
        {
            var multiplexer = await GetMultiplexerAsync(cancellationToken).ConfigureAwait(false);
            return await GuardAsync(Start(multiplexer.GetDatabase(), operation, static (db, op) => op(db)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null || started != 0)
        {
            error = ex;
            throw;
        }
        finally
        {
            if (activity is not null || started != 0)
                RedisTelemetry.Stop(activity, started, caller, member, error);
        }
    }

    /// <summary>Sends an operation; StackExchange.Redis throws at once, rather than in the task, when it cannot queue it.</summary>
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
    /// Awaits a StackExchange.Redis task, which takes no token: the wait ends at the token (the command itself
    /// still runs). A call Redis does not answer ends at the multiplexer's <c>asyncTimeout</c>.
    /// </summary>
    public static async Task<T> GuardAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw new RedisUnavailableException(ex);
        }
        catch (OperationCanceledException)
        {
            // The task we stopped waiting for may still fail later; observe it so nothing is reported as unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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

    /// <summary>Disposes our own multiplexer, once; a multiplexer the host registered belongs to the host and stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Under the connect lock: a connection being made now is finished first, then disposed here.
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_ownMultiplexer is { } own)
                await own.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
