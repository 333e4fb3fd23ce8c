using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Chat.Data.Tests.Messages;

/// <summary>
/// A TCP proxy in front of the test PostgreSQL server that loses one reply: the server runs and
/// commits the statement, then the connection drops before the client reads a byte of the answer.
/// It holds each reply until the server's ReadyForQuery, which PostgreSQL sends after the commit,
/// and drops the first one holding a command tag the test names. Authentication requests go through
/// at once: the server sends no ReadyForQuery until the client has answered them (password auth).
/// </summary>
internal sealed class LostReplyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _serverHost;
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private Func<string, bool>? _dropReplyWith;
    private int _dropped;

    public LostReplyProxy(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        _serverHost = server.Host!;
        _serverPort = server.Port;
        _listener.Start();
        // Plain protocol from the first byte: no SSL or GSS negotiation to step over.
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port,
            SslMode = SslMode.Disable,
            GssEncryptionMode = GssEncryptionMode.Disable,
        }.ConnectionString;
        _accepting = AcceptAsync();
    }

    /// <summary>The database's connection string, through the proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>Replies dropped so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Drops the next reply holding a CommandComplete whose tag matches (for example <c>SELECT 10</c>).</summary>
    public void DropNextReply(Func<string, bool> commandTag) => Volatile.Write(ref _dropReplyWith, commandTag);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(_serverHost, _serverPort, _stop.Token);
                var fromClient = client.GetStream().CopyToAsync(server.GetStream(), _stop.Token);
                var fromServer = RelayRepliesAsync(server.GetStream(), client.GetStream());
                await Task.WhenAny(fromClient, fromServer);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Server messages (a type byte, then a length that counts itself), forwarded a whole reply at a time.</summary>
    private async Task RelayRepliesAsync(Stream server, Stream client)
    {
        var reply = new MemoryStream();
        var tags = new List<string>();
        var header = new byte[5];
        while (true)
        {
            await server.ReadExactlyAsync(header, _stop.Token);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
            await server.ReadExactlyAsync(body, _stop.Token);
            reply.Write(header);
            reply.Write(body);
            if (header[0] == (byte)'C')
                tags.Add(Encoding.UTF8.GetString(body, 0, body.Length - 1));
            if (header[0] is not ((byte)'Z' or (byte)'R'))
                continue;
            if (header[0] == (byte)'Z' && Volatile.Read(ref _dropReplyWith) is { } drop && tags.Any(drop) && Interlocked.Exchange(ref _dropReplyWith, null) is not null)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
            await client.WriteAsync(reply.GetBuffer().AsMemory(0, (int)reply.Length), _stop.Token);
            reply.SetLength(0);
            tags.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
