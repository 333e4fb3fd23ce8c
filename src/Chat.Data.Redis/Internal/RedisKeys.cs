using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Chat.Data.Redis.Internal;

/// <summary>
/// Builds every key and channel name, so the layout lives in one place:
/// <c>{prefix}{area}:{{tag}}:{name}</c>, for example <c>chat:presence:{0190…}:devices</c>.
/// </summary>
/// <remarks>
/// The braces are a Redis Cluster hash tag: only the tag picks the slot, so all keys of one user, chat or
/// subject share a slot and one script may touch them together. Text that comes from end users (phone
/// numbers, partition keys, token ids) is never put into a key as is: it is hashed, which keeps keys short,
/// free of braces and free of personal data.
/// </remarks>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Key(string area, Guid tag, string name) => $"{prefix}{area}:{{{tag:D}}}:{name}";

    public RedisKey Key(string area, string tag, string name) => $"{prefix}{area}:{{{tag}}}:{name}";

    public RedisChannel Channel(string area, Guid id) => new($"{prefix}{area}:{id:D}", RedisChannel.PatternMode.Literal);

    /// <summary>
    /// SHA-256 of the parts (joined by NUL, which validated input never holds), as 32 hex digits.
    /// 128 bits: collisions are out of reach, and the key stays short.
    /// </summary>
    public static string Hash(params ReadOnlySpan<string> parts)
    {
        var text = string.Join('\0', parts.ToArray());
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
