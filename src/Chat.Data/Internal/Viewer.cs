namespace Chat.Data.Internal;

/// <summary>
/// The access rule of the look-ups that take a viewer, as a condition their own statement holds, so
/// checking costs no round trip: the viewer (<c>@viewerId</c>) must be an active member of the chat,
/// and for a message's data also see the message (after what they cleared, not hidden by them), as
/// in history. A viewer who fails the rule gets what a missing id gets, null or nothing, so a
/// look-up never tells a non-member what exists.
/// </summary>
internal static class Viewer
{
    /// <summary>The viewer is an active member of the chat <paramref name="chatId"/> (a column or a parameter).</summary>
    public static string IsMember(string chatId) =>
        $"EXISTS (SELECT 1 FROM {{schema}}.chat_members v WHERE v.chat_id = {chatId} AND v.user_id = @viewerId AND v.left_at IS NULL)";

    /// <summary>The viewer sees the message aliased <paramref name="message"/>.</summary>
    public static string SeesMessage(string message) => $$"""
        EXISTS (SELECT 1 FROM {schema}.chat_members v
                WHERE v.chat_id = {{message}}.chat_id AND v.user_id = @viewerId AND v.left_at IS NULL AND {{message}}.seq > v.cleared_seq)
        AND NOT EXISTS (SELECT 1 FROM {schema}.message_hides h WHERE h.user_id = @viewerId AND h.message_id = {{message}}.id)
        """;
}
