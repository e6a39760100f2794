using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Factory.Bench;

/// <summary>How to start the bench's silos.</summary>
/// <param name="SiloDll">Path of <c>Factory.Silo.dll</c>.</param>
/// <param name="Mode"><c>Embedded</c> or <c>Postgres</c>.</param>
/// <param name="ConnectionString">The database, in Postgres mode.</param>
/// <param name="OperatorKeySha256">SHA-256 of the operator key the bench uses.</param>
/// <param name="WorkFolder">Where silo logs and (embedded) artifacts go.</param>
/// <param name="ClusterId">The cluster's id (unique per invocation, so stale membership rows never matter).</param>
/// <param name="Extra">More settings, <c>KEY=VALUE</c> with <c>:</c> separated keys.</param>
public sealed record SiloSettings(string SiloDll, string Mode, string? ConnectionString, string OperatorKeySha256, string WorkFolder, string ClusterId, IReadOnlyList<string> Extra);

/// <summary>
/// One real silo process of <c>src/Silo</c> with its co-hosted gRPC gateway on a loopback port and its statistics
/// endpoint on; killed with SIGKILL or stopped on dispose.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly StreamWriter _log;
    private long _peakBytes;

    private SiloProcess(int index, Process process, Uri gateway, StreamWriter log)
    {
        Index = index;
        _process = process;
        Gateway = gateway;
        _log = log;
        _http = new HttpClient
        {
            BaseAddress = gateway,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The silo's number.</summary>
    public int Index { get; }

    /// <summary>The co-hosted gateway's address.</summary>
    public Uri Gateway { get; }

    /// <summary>Whether the process was killed.</summary>
    public bool Killed { get; private set; }

    /// <summary>The highest resident memory the process reached (<c>VmHWM</c>), last sampled.</summary>
    public long PeakBytes => Math.Max(Interlocked.Read(ref _peakBytes), ReadPeak());

    /// <summary>Starts silo <paramref name="index"/>; returns once its process runs (see <see cref="WaitReadyAsync"/>).</summary>
    public static SiloProcess Start(SiloSettings settings, int index)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var gatewayPort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(settings.SiloDll)!,
        };
        start.ArgumentList.Add(settings.SiloDll);
        var env = start.Environment;
        env["Factory__Mode"] = settings.Mode;
        env["Factory__SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Factory__GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Factory__ClusterId"] = settings.ClusterId;
        env["Factory__Gateway__Urls"] = $"http://127.0.0.1:{gatewayPort}";
        env["Factory__Observability__Url"] = $"http://127.0.0.1:{FreePort()}"; // metrics and dashboard: a port per silo
        env["Factory__Gateway__OperatorKeySha256"] = settings.OperatorKeySha256;
        env["Factory__Statistics__Enabled"] = "true";
        env["Factory__Runtime__ArtifactsPath"] = Path.Combine(settings.WorkFolder, "artifacts");
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        env["DOTNET_gcServer"] = "1";
        if (settings.ConnectionString is { } connection)
        {
            env["Factory__Postgres__ConnectionString"] = connection;
        }

        foreach (var setting in settings.Extra)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            env[setting[..equals].Replace(":", "__", StringComparison.Ordinal)] = setting[(equals + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo process.");
        var log = new StreamWriter(Path.Combine(settings.WorkFolder, $"silo-{index}.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SiloProcess(index, process, new Uri($"http://127.0.0.1:{gatewayPort}"), log);
    }

    /// <summary>Waits until the statistics endpoint answers (the silo has joined and its gateway serves).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Silo {Index} exited with code {_process.ExitCode} while starting; see silo-{Index}.log.");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("/factory/statistics", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Silo {Index} was not ready within {timeout.TotalSeconds:F0} s; see silo-{Index}.log.");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>The silo's statistics.</summary>
    public async Task<SiloStats> StatisticsAsync(CancellationToken cancellationToken)
    {
        Sample();
        return await _http.GetFromJsonAsync<SiloStats>(new Uri("/factory/statistics", UriKind.Relative), Json, cancellationToken)
            ?? throw new InvalidOperationException($"Silo {Index} answered no statistics.");
    }

    /// <summary>The runs with a run, module or agent grain on this silo now.</summary>
    public async Task<IReadOnlyList<string>> RunsHereAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<List<string>>(new Uri("/factory/statistics/runs", UriKind.Relative), Json, cancellationToken) ?? [];

    /// <summary>Samples the process's peak memory.</summary>
    public void Sample()
    {
        var peak = ReadPeak();
        long seen;
        while ((seen = Interlocked.Read(ref _peakBytes)) < peak && Interlocked.CompareExchange(ref _peakBytes, peak, seen) != seen)
        {
        }
    }

    /// <summary>SIGKILL: the process dies at once, with nothing flushed.</summary>
    public void Kill()
    {
        Sample();
        Killed = true;
        _process.Kill(entireProcessTree: true);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _http.Dispose();
        await _log.DisposeAsync();
    }

    private long ReadPeak()
    {
        try
        {
            if (_process.HasExited)
            {
                return 0;
            }

            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
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

/// <summary>A silo's statistics as its endpoint serves them.</summary>
public sealed record SiloStats(
    Dictionary<string, long> Totals,
    Dictionary<string, long> GrainCalls,
    double CpuSeconds,
    long PeakWorkingSetBytes,
    long WorkingSetBytes,
    long GcHeapBytes,
    int ProcessorCount,
    Dictionary<string, long> Activations,
    long AllocatedBytes,
    int[]? GcCollections);
