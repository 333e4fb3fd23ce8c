namespace Chat.Data.Replicas;

/// <summary>
/// Lets a user see their own writes when reads are served by standbys
/// (<see cref="ChatDataOptions.ReadFromStandbys"/>). A host begins a scope per request with the user's
/// last token and keeps the scope's token afterwards, for example in a cookie:
/// <code>
/// ConsistencyToken.TryParse(request.Cookies["chat-lsn"], out var last);
/// using var scope = readYourWrites.Begin(last);
/// await next();   // repository calls in this request use and advance the token
/// if (scope.Token != last) response.Cookies.Append("chat-lsn", scope.Token.ToString());
/// </code>
/// Without a scope, reads go to any standby and writes cost nothing extra.
/// </summary>
public interface IReadYourWrites
{
    /// <summary>
    /// Begins a scope for the current async flow: repository calls made in it, also in tasks it starts,
    /// read no older data than <paramref name="lastWrite"/> and than each write they make. Dispose it
    /// in the flow that began it.
    /// </summary>
    ReadYourWritesScope Begin(ConsistencyToken lastWrite = default);

    /// <summary>The scope current in this async flow, or null.</summary>
    ReadYourWritesScope? Current { get; }
}
