using System.Net;
using System.Net.Sockets;

namespace Factory.Cli.Tests;

/// <summary>
/// A loopback TCP proxy in front of a server that cuts its first connection once that connection has carried
/// <c>dropAfterBytes</c> from the server (the rest is not forwarded): a stream that drops mid-way. Later
/// connections are passed through whole.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly long _dropAfterBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private int _connections;
    private int _dropped;

    public DroppingProxy(Uri target, long dropAfterBytes)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _dropAfterBytes = dropAfterBytes;
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    /// <summary>The proxy's URL.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Whether the first connection was cut after carrying its bytes.</summary>
    public bool Dropped => Volatile.Read(ref _dropped) == 1;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // Stopping: the pumps end with their sockets.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var first = Interlocked.Increment(ref _connections) == 1;
            lock (_tasks)
            {
                _tasks.Add(RelayAsync(client, first));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, bool cut)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(_target, _stop.Token);
            using var links = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), long.MaxValue, links.Token);
            var down = PumpAsync(server.GetStream(), client.GetStream(), cut ? _dropAfterBytes : long.MaxValue, links.Token);
            var ended = await Task.WhenAny(up, down);
            if (cut && ended == down && await down)
            {
                Volatile.Write(ref _dropped, 1);
            }

            await links.CancelAsync();
            client.Client.Close();
            server.Client.Close();
        }
    }

    private static async Task<bool> PumpAsync(NetworkStream from, NetworkStream to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        long carried = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return false;
                }

                var allowed = (int)Math.Min(read, limit - carried);
                await to.WriteAsync(buffer.AsMemory(0, allowed), cancellationToken);
                carried += allowed;
                if (carried >= limit)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The other side closed, or the relay is being torn down.
            return false;
        }
    }
}
