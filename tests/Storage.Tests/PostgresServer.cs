using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Factory.Storage.Tests;

/// <summary>
/// A real PostgreSQL server for the tests. When <c>FACTORY_TEST_POSTGRES</c> holds a connection string, that
/// server is used; otherwise one is started: <c>initdb</c> into a temporary folder (as the <c>postgres</c> user
/// when running as root), <c>pg_ctl start</c> on a free loopback port, stopped and deleted on dispose.
/// Each test gets its own fresh database from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "FACTORY_TEST_POSTGRES";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly List<string> _databases = [];
    private string? _folder;
    private string? _binaries;
    private bool _asPostgresUser;
    private int _port;

    /// <summary>The connection string of the server's maintenance database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        await InitializeOwnServerAsync();
    }

    /// <summary>
    /// A server of the test's own, whatever <c>FACTORY_TEST_POSTGRES</c> says: for tests that stop and start it
    /// (<see cref="StopServerAsync"/>, <see cref="StartServerAsync"/>). Dispose it to stop and delete it.
    /// </summary>
    public static async Task<PostgresServer> StartOwnAsync()
    {
        var server = new PostgresServer();
        try
        {
            await server.InitializeOwnServerAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Whether this server is one the tests started (and may stop and start).</summary>
    public bool IsOwn => _folder is not null && _binaries is not null;

    /// <summary>Stops an own server (<c>pg_ctl stop -m fast</c>): its connections are closed, its data stays.</summary>
    public Task StopServerAsync() => RunAsync(Path.Combine(OwnBinaries, "pg_ctl"), ["-D", DataFolder, "-m", "fast", "-w", "stop"], _asPostgresUser);

    /// <summary>Starts an own server again on the same data folder and port.</summary>
    public Task StartServerAsync() => RunAsync(Path.Combine(OwnBinaries, "pg_ctl"),
        ["-D", DataFolder, "-l", Path.Combine(_folder!, "server.log"), "-w", "-t", "60",
         "-o", $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], _asPostgresUser);

    private string OwnBinaries => _binaries ?? throw new InvalidOperationException("Only a server the tests started can be stopped and started.");

    private string DataFolder => Path.Combine(_folder ?? throw new InvalidOperationException("Only a server the tests started can be stopped and started."), "data");

    private async Task InitializeOwnServerAsync()
    {
        _binaries = FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        _folder = Directory.CreateTempSubdirectory("factory-pg-").FullName;
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", _folder], asPostgres: false);
        }

        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", DataFolder, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], _asPostgresUser);
        _port = FreePort();
        await StartServerAsync();
        ConnectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres";
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"factory_test_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(ConnectionString))
        await using (var create = admin.CreateCommand($"create database {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A data source over a new empty database with Factory's schema applied.</summary>
    public async Task<NpgsqlDataSource> CreateSchemaDatabaseAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await CreateDatabaseAsync());
        await Storage.Postgres.FactorySchema.ApplyAsync(dataSource);
        return dataSource;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_folder is null || _binaries is null)
        {
            // A server we were given: drop what we created on it.
            await using var admin = NpgsqlDataSource.Create(ConnectionString);
            foreach (var name in _databases)
            {
                await using var drop = admin.CreateCommand($"drop database if exists {name} with (force)");
                await drop.ExecuteNonQueryAsync();
            }

            return;
        }

        try
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", DataFolder, "-m", "fast", "-w", "stop"], _asPostgresUser);
        }
        catch (InvalidOperationException) when (!File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            // already stopped
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault()
            : null;
        if (installed is not null)
        {
            return installed;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
        return onPath ?? throw new InvalidOperationException(
            $"PostgreSQL's initdb was found neither under /usr/lib/postgresql nor on PATH; install PostgreSQL or set {EnvironmentVariable}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder ?? Path.GetTempPath(),
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

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {CommandTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}

/// <summary>The test classes that share one server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
