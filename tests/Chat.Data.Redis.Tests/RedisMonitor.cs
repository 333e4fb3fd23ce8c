using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Chat.Data.Redis.Tests;

/// <summary>
/// The commands every primary ran while it was open, as <c>MONITOR</c> reports them, read on connections of
/// its own. Other clients share the servers, so a test picks its own commands out by their keys.
/// </summary>
internal sealed partial class RedisMonitor : IAsyncDisposable
{
    private readonly List<(IServer Server, TcpClient Client, StreamReader Feed)> _feeds;

    private RedisMonitor(List<(IServer, TcpClient, StreamReader)> feeds) => _feeds = feeds;

    public static async Task<RedisMonitor> StartAsync(RedisFixture fixture)
    {
        var feeds = new List<(IServer, TcpClient, StreamReader)>();
        foreach (var server in fixture.Masters())
        {
            var (host, port) = server.EndPoint switch
            {
                IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                DnsEndPoint dns => (dns.Host, dns.Port),
                var other => throw new NotSupportedException($"endpoint {other}"),
            };
            var client = new TcpClient();
            await client.ConnectAsync(host, port);
            var stream = client.GetStream();
            await stream.WriteAsync("MONITOR\r\n"u8.ToArray());
            var feed = new StreamReader(stream, Encoding.UTF8);
            var reply = await feed.ReadLineAsync();
            Assert.True(reply == "+OK", $"MONITOR on {server.EndPoint} answered {reply}");
            feeds.Add((server, client, feed));
        }
        return new RedisMonitor(feeds);
    }

    /// <summary>
    /// Every command run since the start, on every primary, as its arguments (the command name first). Each
    /// server then echoes a mark of this call, and its feed is read up to that mark, so nothing run before is missed.
    /// </summary>
    public async Task<List<string[]>> CommandsAsync()
    {
        var mark = "monitor-mark-" + Guid.NewGuid().ToString("N");
        var commands = new List<string[]>();
        foreach (var (server, _, feed) in _feeds)
        {
            await server.ExecuteAsync("ECHO", mark);
            while (true)
            {
                var line = await feed.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
                    ?? throw new InvalidOperationException($"MONITOR on {server.EndPoint} closed");
                // +<time> [<db> <client>] "COMMAND" "arg" ...
                var start = line.IndexOf("] ", StringComparison.Ordinal);
                var arguments = Argument().Matches(line[(start + 2)..]).Select(m => m.Groups[1].Value).ToArray();
                if (arguments is [var echo, var text] && echo.Equals("ECHO", StringComparison.OrdinalIgnoreCase) && text == mark)
                    break;
                commands.Add(arguments);
            }
        }
        return commands;
    }

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Argument();

    public ValueTask DisposeAsync()
    {
        foreach (var (_, client, _) in _feeds)
            client.Dispose();
        return ValueTask.CompletedTask;
    }
}
