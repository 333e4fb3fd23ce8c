namespace Chat.Data.Replicas;

/// <summary>
/// Read-your-writes for one user's work, such as a web request, begun with <see cref="IReadYourWrites.Begin"/>.
/// While it is current (in this async flow), every write records its position in <see cref="Token"/> and
/// every read that may be served by a standby waits for it. Dispose it at the end of the work, after
/// keeping <see cref="Token"/> for the user's next one.
/// </summary>
public sealed class ReadYourWritesScope : IDisposable
{
    private readonly AsyncLocal<ReadYourWritesScope?> _current;
    private readonly ReadYourWritesScope? _outer;
    private readonly Lock _gate = new();
    private ConsistencyToken _token;
    private bool _disposed;

    internal ReadYourWritesScope(AsyncLocal<ReadYourWritesScope?> current, ConsistencyToken token)
    {
        _current = current;
        _outer = current.Value;
        _token = token;
        current.Value = this;
    }

    /// <summary>The latest write this scope knows of: the token it began with, or a later write's made in it.</summary>
    public ConsistencyToken Token
    {
        get { lock (_gate) return _token; }
    }

    /// <summary>Moves the token forward to a write's position; a concurrent earlier write never moves it back.</summary>
    internal void Advance(ConsistencyToken token)
    {
        lock (_gate)
            _token = ConsistencyToken.Max(_token, token);
    }

    /// <summary>Ends the scope; a scope it was begun inside learns of its writes.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _outer?.Advance(Token);
        if (_current.Value == this)
            _current.Value = _outer;
    }
}
