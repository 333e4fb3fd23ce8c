using System.Text;

namespace Chat.Data.Redis.Events;

/// <summary>A message received from the event bus.</summary>
/// <param name="Scope">Whether it was published to a user or to a chat.</param>
/// <param name="Id">The user or chat id it was published to.</param>
/// <param name="Payload">The bytes as published (the library does not interpret them).</param>
public sealed record ChatEvent(ChatEventScope Scope, Guid Id, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The payload read as UTF-8 text (what a string publish sent).</summary>
    public string GetText() => Encoding.UTF8.GetString(Payload.Span);
}

/// <summary>What an event was published to.</summary>
public enum ChatEventScope
{
    /// <summary>A user's channel: everything for that user, whichever chat (for example a WebSocket per user).</summary>
    User,

    /// <summary>A chat's channel: everything for the members of that chat.</summary>
    Chat,
}
