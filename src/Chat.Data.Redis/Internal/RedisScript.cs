using System.Security.Cryptography;
using System.Text;

namespace Chat.Data.Redis.Internal;

/// <summary>
/// A Lua script and its SHA-1, computed once, so calls send <c>EVALSHA</c> and the script text
/// only when the server has lost it (see <see cref="RedisConnection.EvaluateAsync"/>).
/// </summary>
/// <remarks>
/// Every script gets the small <see cref="Prelude"/> first. Scripts touch only keys passed in <c>KEYS</c>
/// (never a key built in Lua), which is what lets Redis Cluster route them.
/// </remarks>
internal sealed class RedisScript
{
    /// <summary>Helpers shared by every script.</summary>
    private const string Prelude = """
        -- Time comes from the Redis server, so every app instance agrees on it whatever its own clock says.
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function now_us()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        -- Integer arguments (PX, PEXPIREAT, ...) go out as '%d' text: Lua may print a large number as '1.7e+15'.
        local function int(n)
          return string.format('%d', n)
        end

        """;

    public RedisScript(string name, string body)
    {
        Name = name;
        Source = Prelude + body;
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Source));
    }

    /// <summary>For error messages and diagnostics.</summary>
    public string Name { get; }

    public string Source { get; }

    public byte[] Sha1 { get; }

    public override string ToString() => Name;
}
