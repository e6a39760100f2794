using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Factory.Storage.Tests;

/// <summary>
/// A Factory host as a real operating-system process: <c>dotnet Factory.Silo.dll</c> (a silo with the gRPC API
/// co-hosted) or <c>dotnet Factory.Gateway.dll</c> (the standalone gateway) from its project's own build output,
/// configured through environment variables, its gRPC API on a loopback port. Its ports are chosen once, so a
/// restart comes back on the same silo, Orleans gateway and gRPC ports.
/// Output is kept (the last lines) for failure messages; the process is killed on dispose.
/// </summary>
public sealed class FactoryProcess : IAsyncDisposable
{
    private const int KeptLines = 400;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, string> _environment;
    private readonly Queue<string> _output = new();
    private Process? _process;

    private readonly string _assembly;

    /// <summary>
    /// A silo named <paramref name="name"/> with <paramref name="settings"/> (configuration keys such as <c>Factory:Mode</c>);
    /// <paramref name="assembly"/> another Factory host to run instead (<see cref="GatewayAssembly"/>).
    /// </summary>
    public FactoryProcess(string name, IReadOnlyDictionary<string, string> settings, string? assembly = null)
    {
        Name = name;
        _assembly = assembly ?? SiloAssembly;
        SiloPort = FreePort();
        GatewayPort = FreePort();
        GrpcPort = FreePort();
        ObservabilityPort = FreePort();
        _environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value, StringComparer.Ordinal);
        _environment["Factory__SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["Factory__GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["Factory__Gateway__Urls"] = Url;
        _environment["Factory__Observability__Url"] = $"http://127.0.0.1:{ObservabilityPort}";
        _environment["DOTNET_ENVIRONMENT"] = "Production";
        _environment["Logging__LogLevel__Default"] = "Warning";
        _environment["Logging__LogLevel__Factory"] = "Information";
    }

    /// <summary>The host's name in failure messages.</summary>
    public string Name { get; }

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>Orleans gateway port (for Orleans clients).</summary>
    public int GatewayPort { get; }

    /// <summary>The silo's metrics and dashboard port (each silo on this machine needs its own).</summary>
    public int ObservabilityPort { get; }

    /// <summary>The co-hosted gRPC API's port.</summary>
    public int GrpcPort { get; }

    /// <summary>The gRPC API's address.</summary>
    public string Url => $"http://127.0.0.1:{GrpcPort}";

    /// <summary>The operating-system process id while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The silo's build output, recorded when the tests were built.</summary>
    public static string SiloAssembly { get; } = BuildOutput("FactorySiloPath");

    /// <summary>The standalone gateway's build output, recorded when the tests were built.</summary>
    public static string GatewayAssembly { get; } = BuildOutput("FactoryGatewayPath");

    private static string BuildOutput(string key) =>
        typeof(FactoryProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException($"The test assembly does not name a build output (AssemblyMetadata {key}).");

    /// <summary>The last lines the process wrote (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>Starts the process and waits until its gRPC health service answers SERVING (it reaches an active silo).</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        if (!File.Exists(_assembly))
        {
            throw new FileNotFoundException($"The build output {_assembly} is missing; build the solution.", _assembly);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(_assembly)!,
        };
        start.ArgumentList.Add(_assembly);
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        Keep($"--- {Name}: starting (silo port {SiloPort}, gateway port {GatewayPort}, gRPC {Url})");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var channel = GrpcChannel.ForAddress(Url);
        var health = new Health.HealthClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} while starting:{Environment.NewLine}{Output}");
            }

            try
            {
                var response = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                if (response.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                Kill();
                throw new TimeoutException($"{Name} did not answer SERVING within {timeout}:{Environment.NewLine}{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)); // polling the health endpoint, the only signal a process gives
        }
    }

    /// <summary>SIGKILL: the process dies at once, with nothing flushed and nothing said to the cluster.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            Keep($"--- {Name}: SIGKILL");
            process.Kill(entireProcessTree: true); // SIGKILL on Unix
            process.WaitForExit(StopTimeout);
        }
    }

    /// <summary>SIGTERM, and the process's graceful shutdown; SIGKILL if it has not exited within 30 seconds.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        Keep($"--- {Name}: SIGTERM");
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])))
        {
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _process = null;
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue($"[{Name}] {line}");
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
