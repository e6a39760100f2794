using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Factory.Bench;

/// <summary>
/// A PostgreSQL server of the bench's own: <c>initdb</c> into a temporary folder (as the <c>postgres</c> user when
/// running as root), started on a free loopback port, stopped and deleted on dispose.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _binaries;
    private readonly bool _asPostgres;

    private PrivatePostgres(string folder, string binaries, bool asPostgres, string connectionString)
    {
        _folder = folder;
        _binaries = binaries;
        _asPostgres = asPostgres;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>Initialises and starts a server from <paramref name="binaries"/> (e.g. <c>/usr/lib/postgresql/15/bin</c>).</summary>
    public static async Task<PrivatePostgres> StartAsync(string binaries, int maxConnections)
    {
        if (!File.Exists(Path.Combine(binaries, "initdb")))
        {
            throw new InvalidOperationException($"--postgres-bin: no initdb in '{binaries}'.");
        }

        var asPostgres = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("factory-bench-pg-").FullName;
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false, folder);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], asPostgres, folder);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await RunAsync(Path.Combine(binaries, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections={maxConnections} -c synchronous_commit=off -c shared_buffers=256MB", "start"],
            asPostgres, folder);
        return new PrivatePostgres(folder, binaries, asPostgres, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
    }

    /// <summary>
    /// CPU seconds the server's processes used so far: the postmaster (with its ended children) and its live
    /// children, from <c>/proc</c>.
    /// </summary>
    public double CpuSeconds()
    {
        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(_folder, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var parent = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (pid == postmaster || parent == postmaster)
                    {
                        ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                        if (pid == postmaster)
                        {
                            ticks += long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                }
            }

            return ticks / 100.0; // USER_HZ
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], _asPostgres, _folder);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres, string folder)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited {process.ExitCode}: {await error}{await output}");
        }
    }
}
