namespace Chat.Data.Redis;

/// <summary>
/// Redis could not be reached, dropped the connection, did not answer within
/// the connection's <c>asyncTimeout</c>, or is not ready (loading, failing over).
/// The helpers work again once Redis is back; retrying later can succeed.
/// </summary>
public sealed class RedisUnavailableException : ChatDataException
{
    /// <summary>Creates the exception around the client's error.</summary>
    public RedisUnavailableException(Exception innerException)
        : base("Redis is unavailable: " + innerException.Message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
