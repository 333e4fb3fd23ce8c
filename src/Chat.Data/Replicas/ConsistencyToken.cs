using NpgsqlTypes;

namespace Chat.Data.Replicas;

/// <summary>
/// Where the primary's write-ahead log stood after a write committed. A read given this token is served
/// by a standby only once the standby has replayed that far, so a user sees their own writes. Keep the
/// latest one per user (in a cookie or the session) with <see cref="ToString"/> and <see cref="TryParse"/>.
/// The default value is no token: any standby may serve the read.
/// </summary>
public readonly record struct ConsistencyToken : IComparable<ConsistencyToken>
{
    internal ConsistencyToken(NpgsqlLogSequenceNumber position) => Position = position;

    internal NpgsqlLogSequenceNumber Position { get; }

    /// <summary>True for the default value, which asks nothing of a standby.</summary>
    public bool IsNone => Position == default;

    /// <summary>The later of two tokens: a read that waits for it waits for both writes.</summary>
    public static ConsistencyToken Max(ConsistencyToken a, ConsistencyToken b) => a.CompareTo(b) >= 0 ? a : b;

    /// <inheritdoc/>
    public int CompareTo(ConsistencyToken other) => Position.CompareTo(other.Position);

    /// <summary>The token as text (PostgreSQL's <c>pg_lsn</c> form, such as <c>16/B374D848</c>); empty for no token.</summary>
    public override string ToString() => IsNone ? string.Empty : Position.ToString();

    /// <summary>
    /// Reads a token written by <see cref="ToString"/>. Null, empty or malformed text gives no token and
    /// false, so a tampered or stale cookie costs nothing but a read that may be served by any standby.
    /// </summary>
    public static bool TryParse(string? text, out ConsistencyToken token)
    {
        token = default;
        if (string.IsNullOrEmpty(text) || !NpgsqlLogSequenceNumber.TryParse(text, out var position))
            return false;
        token = new ConsistencyToken(position);
        return true;
    }
}
