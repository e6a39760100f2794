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

    /// <summary>The connection string of the server's maintenance database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        _binaries = FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        _folder = Directory.CreateTempSubdirectory("factory-pg-").FullName;
        if (_asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", _folder], asPostgres: false);
        }

        var data = Path.Combine(_folder, "data");
        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], _asPostgresUser);
        var port = FreePort();
        await RunAsync(Path.Combine(_binaries, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
             "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], _asPostgresUser);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
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
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"], _asPostgresUser);
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
