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
/// <para>
/// Keys go to StackExchange.Redis as UTF-8 bytes built in one allocation: a string key is encoded again on
/// every write (and on a Cluster once more, into a new array, to find its slot), and bulk calls build thousands.
/// </para>
/// </remarks>
internal sealed class RedisKeys(string prefix)
{
    private const int HashLength = 32;

    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(prefix);

    public RedisKey Key(string area, Guid tag, string name)
    {
        Span<char> text = stackalloc char[36];
        tag.TryFormat(text, out _, "D");
        return Build(area, text, name);
    }

    public RedisKey Key(string area, string tag, string name) => Build(area, tag, name);

    public RedisChannel Channel(string area, Guid id) => new($"{prefix}{area}:{id:D}", RedisChannel.PatternMode.Literal);

    /// <summary>
    /// SHA-256 of the parts (joined by NUL, which validated input never holds), as 32 hex digits.
    /// 128 bits: collisions are out of reach, and the key stays short.
    /// </summary>
    public static string Hash(params ReadOnlySpan<string> parts) =>
        string.Create(HashLength, string.Join('\0', parts), static (hex, text) => WriteHash(text, hex));

    private byte[] Build(string area, ReadOnlySpan<char> tag, string name)
    {
        var utf8 = Encoding.UTF8;
        var key = new byte[_prefix.Length + utf8.GetByteCount(area) + utf8.GetByteCount(tag) + utf8.GetByteCount(name) + 4];
        _prefix.CopyTo(key, 0);
        var at = _prefix.Length;
        at += utf8.GetBytes(area, key.AsSpan(at));
        ":{"u8.CopyTo(key.AsSpan(at));
        at += 2;
        at += utf8.GetBytes(tag, key.AsSpan(at));
        "}:"u8.CopyTo(key.AsSpan(at));
        utf8.GetBytes(name, key.AsSpan(at + 2));
        return key;
    }

    /// <summary>The first 16 bytes of SHA-256 of the UTF-8 text, as lower-case hex, without allocating for usual lengths.</summary>
    private static void WriteHash(ReadOnlySpan<char> text, Span<char> hex)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> utf8 = maxBytes <= 2048 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(text, utf8)], digest);
        Convert.TryToHexStringLower(digest[..(HashLength / 2)], hex, out _);
    }
}
