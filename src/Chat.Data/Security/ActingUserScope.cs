namespace Chat.Data.Security;

/// <summary>
/// Repository calls made while this scope is current (in this async flow) run as its user under
/// row-level security; begun with <see cref="IRowLevelSecurity.ActAs"/>. Dispose it to end them.
/// </summary>
public sealed class ActingUserScope : IDisposable
{
    private readonly AsyncLocal<ActingUserScope?> _current;
    private readonly ActingUserScope? _outer;
    private bool _disposed;

    internal ActingUserScope(AsyncLocal<ActingUserScope?> current, Guid userId)
    {
        _current = current;
        _outer = current.Value;
        UserId = userId;
        current.Value = this;
    }

    /// <summary>The user the calls act as.</summary>
    public Guid UserId { get; }

    /// <summary>Ends the scope: calls act as the enclosing scope's user again, or unscoped.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_current.Value == this)
            _current.Value = _outer;
    }
}
