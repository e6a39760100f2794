using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Npgsql;
using V1 = Factory.Gateway.V1;

namespace Factory.Bench;

/// <summary>One bench invocation: baseline, silos, tenants, load, checks and the report.</summary>
public sealed class Bench(BenchOptions options, TextWriter output)
{
    private const string Edition = "enterprise";
    private readonly string _token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Runs the whole invocation and prints (and optionally writes) the report.</summary>
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var repository = RepositoryRoot();
        var blueprintPath = options.Blueprint?.FullName ?? Path.Combine(repository, "blueprints", "clinic-appointments.yaml");
        var yaml = await File.ReadAllTextAsync(blueprintPath, cancellationToken);
        var variants = Enumerable.Range(0, options.Tenants).Select(i => BlueprintVariants.Create(yaml, i, options.CompileGate)).ToList();
        var baselineRuns = options.BaselineRuns ?? Math.Min(options.Runs, 1000);

        output.WriteLine($"baseline: {baselineRuns} runs of bare work on {Environment.ProcessorCount} cores ...");
        var baseline = await new Baseline().RunAsync(variants, baselineRuns, options.Warmup, cancellationToken);
        output.WriteLine($"baseline: {baseline.RunsPerSecond:F1} runs/s ({baseline.Seconds:F1} s, {baseline.BlockingGateFailures} blocking gate results)");
        double? compileShare = null;
        if (options.CompileGate)
        {
            // The compile gate's share of the work: the same baseline without it, CPU per run compared.
            var without = Enumerable.Range(0, options.Tenants).Select(i => BlueprintVariants.Create(yaml, i, compileGate: false)).ToList();
            var off = await new Baseline().RunAsync(without, Math.Min(baselineRuns, 100), options.Warmup, cancellationToken);
            compileShare = Math.Round(1 - (off.CpuMsPerRun / baseline.CpuMsPerRun), 3);
            output.WriteLine($"baseline without the compile gate: {off.CpuMsPerRun:F1} CPU ms per run; the compile gate's share of the work: {compileShare:P0}");
        }

        var work = Directory.CreateTempSubdirectory("factory-bench-").FullName;
        PrivatePostgres? postgres = null;
        var silos = new List<SiloProcess>();
        try
        {
            string? connection = null;
            if (options.Mode == "postgres")
            {
                if (options.Connection is { } given)
                {
                    connection = given;
                }
                else
                {
                    postgres = await PrivatePostgres.StartAsync(options.PostgresBin, maxConnections: 200 + (200 * options.Silos));
                    connection = await CreateDatabaseAsync(postgres.ConnectionString, $"factory_bench_{_token}");
                }
            }

            var operatorKey = "fk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var settings = new SiloSettings(SiloDll(repository), options.Mode == "postgres" ? "Postgres" : "Embedded", connection,
                ContentHash.ApiKeySha256(operatorKey), work, $"bench-{_token}", options.SiloSettings);
            for (var i = 0; i < options.Silos; i++)
            {
                silos.Add(SiloProcess.Start(settings, i));
            }

            await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TimeSpan.FromMinutes(2), cancellationToken)));
            output.WriteLine($"{silos.Count} silo(s) up ({options.Mode}); gateways {string.Join(", ", silos.Select(s => s.Gateway))}");

            var tenants = await CreateTenantsAsync(silos, operatorKey, variants, cancellationToken);
            output.WriteLine($"{tenants.Count} tenants created, keys issued");

            if (options.Warmup > 0)
            {
                await new LoadDriver(silos, tenants, $"{_token}-warmup", recordEventTimes: false, options.SubmitConcurrency).RunAsync(options.Warmup, options.InFlight, cancellationToken);
            }

            var loadBefore = LoadAverage();
            var beforeBySilo = await TotalsAsync(silos, cancellationToken);
            var postgresBefore = postgres?.CpuSeconds() ?? 0;
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var driver = new LoadDriver(silos, tenants, _token, recordEventTimes: options.KillSiloAfter is not null, options.SubmitConcurrency);
            output.WriteLine($"load: {options.Runs} runs, {options.Tenants} tenants, {options.InFlight} in flight, compile gate {(options.CompileGate ? "on" : "off")} ...");
            var load = driver.RunAsync(options.Runs, options.InFlight, cancellationToken);
            Task<(double At, HashSet<string> Runs)>? kill = options.KillSiloAfter is { } after ? KillAsync(silos[^1], driver, after, cancellationToken) : null;
            var seconds = await load;
            var killed = kill is null ? default : await kill;
            var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore; // the submitters and watchers
            var afterBySilo = await TotalsAsync(silos, cancellationToken);

            // The silos alive at the end, each against its own figures before the load (a killed silo's are lost).
            var before = Sum(beforeBySilo.Where(p => afterBySilo.ContainsKey(p.Key)).Select(p => p.Value));
            var afterTotals = Sum(afterBySilo.Values);
            before["postgres-cpu-seconds"] = postgresBefore;
            afterTotals["postgres-cpu-seconds"] = postgres?.CpuSeconds() ?? 0;
            var loadAfter = LoadAverage();
            var journaled = await JournaledAsync(silos, driver, cancellationToken);
            var report = Report(driver, seconds, baseline, baselineRuns, before, afterTotals, journaled, silos, killed.Runs is null ? null : Kill(driver, killed.At, killed.Runs))
                with { CompileGateShare = compileShare, LoadAverage = $"{loadBefore} -> {loadAfter}", PostgresCpuMsPerRun = postgres is null ? null : Math.Round((afterTotals["postgres-cpu-seconds"] - before["postgres-cpu-seconds"]) * 1000 / options.Runs, 1),
                    LoadGeneratorCpuMsPerRun = Math.Round(ownCpu.TotalMilliseconds / options.Runs, 1) };

            // The baseline again, on the same machine once the silos have stopped: the machine's speed drifts (other
            // tenants of its host), so the load is compared with the bare work measured on both sides of it.
            await StopAsync(silos, postgres);
            postgres = null;
            output.WriteLine($"baseline again: {baselineRuns} runs of bare work ...");
            var baselineAfter = await new Baseline().RunAsync(variants, baselineRuns, warmup: 0, cancellationToken);
            output.WriteLine($"baseline again: {baselineAfter.RunsPerSecond:F1} runs/s ({baselineAfter.Seconds:F1} s)");
            var both = BaselineResult.Combine(baseline, baselineAfter);
            report = report with
            {
                Baseline = both,
                BaselineBefore = baseline,
                BaselineAfter = baselineAfter,
                RatioToBaseline = Math.Round(report.RunsPerSecond / both.RunsPerSecond, 3),
                CpuRatioToBaseline = Math.Round(both.CpuMsPerRun / (report.SiloCpuMsPerRun + (report.PostgresCpuMsPerRun ?? 0)), 3),
                CeilingRatio = BenchReport.Ceiling(both.CpuMsPerRun, report.LoadGeneratorCpuMsPerRun),
            };
            Print(report);
            if (options.Json is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }), cancellationToken);
                output.WriteLine($"JSON: {file.FullName}");
            }

            return report;
        }
        finally
        {
            await StopAsync(silos, postgres);
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Stops the silos still running (and forgets them) and the private PostgreSQL, if any.</summary>
    private static async Task StopAsync(List<SiloProcess> silos, PrivatePostgres? postgres)
    {
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }

        silos.Clear();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }

    private static async Task<string> CreateDatabaseAsync(string server, string name)
    {
        await using var admin = NpgsqlDataSource.Create(server);
        await using var create = admin.CreateCommand($"create database {name}");
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    private async Task<List<BenchTenant>> CreateTenantsAsync(List<SiloProcess> silos, string operatorKey, List<BlueprintVariant> variants, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { "authorization", $"Bearer {operatorKey}" } };
        var operators = silos.Select(s => new V1.Operators.OperatorsClient(LoadDriver.Channel(s.Gateway))).ToArray();
        var tenants = new BenchTenant[variants.Count];
        await Parallel.ForAsync(0, variants.Count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var client = operators[i % operators.Length];
            var id = $"b{_token}-t{i.ToString(CultureInfo.InvariantCulture)}";
            await client.CreateTenantAsync(new V1.CreateTenantRequest { TenantId = id, Edition = Edition }, headers, cancellationToken: ct);
            var key = await client.IssueApiKeyAsync(new V1.IssueApiKeyRequest { TenantId = id }, headers, cancellationToken: ct);
            tenants[i] = new BenchTenant(id, new Metadata { { "authorization", $"Bearer {key.Secret}" } }, variants[i].Yaml);
        });
        return [.. tenants];
    }

    private async Task<(double At, HashSet<string> Runs)> KillAsync(SiloProcess victim, LoadDriver driver, double after, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(after), cancellationToken);
        var here = (await victim.RunsHereAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var at = driver.Now;
        victim.Kill();
        var affected = driver.InFlight.Where(r => here.Contains(r.RunId)).Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        output.WriteLine($"killed silo {victim.Index} (SIGKILL) at {at:F1} s; {affected.Count} runs in flight had grains on it");
        return (at, affected);
    }

    private static KillResult Kill(LoadDriver driver, double at, HashSet<string> affected)
    {
        var records = driver.Runs.Values.Where(r => affected.Contains(r.RunId)).ToList();
        var resume = records.Select(r => r.EventTimes!.FirstOrDefault(t => t > at, double.NaN)).Where(t => !double.IsNaN(t)).Select(t => (t - at) * 1000).ToList();
        var finish = records.Where(r => r.Terminal.Length > 0).Select(r => (r.LastEventAt - at) * 1000).ToList();
        return new KillResult(at, records.Count, Latency.Of(resume), Latency.Of(finish),
            records.All(r => r.Terminal == "RunSucceeded") && resume.Count == records.Count);
    }

    private static Dictionary<string, double> Sum(IEnumerable<Dictionary<string, double>> perSilo)
    {
        var sum = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in perSilo.SelectMany(p => p))
        {
            sum[name] = sum.GetValueOrDefault(name) + value;
        }

        return sum;
    }

    /// <summary>Each live silo's counters, by silo.</summary>
    private static async Task<Dictionary<SiloProcess, Dictionary<string, double>>> TotalsAsync(List<SiloProcess> silos, CancellationToken cancellationToken)
    {
        var bySilo = new Dictionary<SiloProcess, Dictionary<string, double>>();
        foreach (var silo in silos.Where(s => !s.Killed))
        {
            var totals = bySilo[silo] = new Dictionary<string, double>(StringComparer.Ordinal);
            var stats = await silo.StatisticsAsync(cancellationToken);
            foreach (var (name, value) in stats.Totals)
            {
                totals[name] = totals.GetValueOrDefault(name) + value;
            }

            foreach (var (name, value) in stats.GrainCalls)
            {
                totals["calls:" + name] = totals.GetValueOrDefault("calls:" + name) + value;
            }

            foreach (var (name, value) in stats.Activations)
            {
                totals["activations:" + name] = totals.GetValueOrDefault("activations:" + name) + value;
            }

            totals["cpu-seconds"] = totals.GetValueOrDefault("cpu-seconds") + stats.CpuSeconds;
            totals["allocated-bytes"] = totals.GetValueOrDefault("allocated-bytes") + stats.AllocatedBytes;
            for (var generation = 0; generation < (stats.GcCollections?.Length ?? 0); generation++)
            {
                totals[$"gc-gen{generation}"] = totals.GetValueOrDefault($"gc-gen{generation}") + stats.GcCollections![generation];
            }
        }

        return bySilo;
    }

    private static async Task<Dictionary<string, (long Events, string Status)>> JournaledAsync(List<SiloProcess> silos, LoadDriver driver, CancellationToken cancellationToken)
    {
        var live = silos.Where(s => !s.Killed).Select(s => new V1.Runs.RunsClient(LoadDriver.Channel(s.Gateway))).ToArray();
        var result = new System.Collections.Concurrent.ConcurrentDictionary<string, (long, string)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(driver.Runs.Values.Where(r => r.RunId.Length > 0), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (r, ct) =>
        {
            var run = await live[r.Index % live.Length].GetRunAsync(new V1.GetRunRequest { RunId = r.RunId }, r.Tenant.Headers, cancellationToken: ct);
            var why = run.Status == V1.RunStatus.Succeeded ? "" : $"{run.Status} {run.Reason} " + string.Join("; ", run.Gates.Where(g => !g.Passed)
                .Select(g => $"{g.Module}/{g.Rule}: {g.Summary} {string.Join(" | ", g.Violations.Take(2).Select(v => $"{v.Path}: {v.Message}"))}"));
            result[r.RunId] = (run.EventCount, why);
        });
        return new Dictionary<string, (long, string)>(result, StringComparer.Ordinal);
    }

    private BenchReport Report(
        LoadDriver driver, double seconds, BaselineResult baseline, int baselineRuns, Dictionary<string, double> before, Dictionary<string, double> after,
        Dictionary<string, (long Events, string Status)> journaled, List<SiloProcess> silos, KillResult? kill)
    {
        var records = driver.Runs.Values.OrderBy(r => r.Index).ToList();
        var n = records.Count;
        var failures = records.Where(r => r.Terminal != "RunSucceeded" || r.Error.Length > 0)
            .Select(r => $"run {r.Index} {r.RunId}: {(r.Error.Length > 0 ? r.Error : r.Terminal.Length > 0 ? r.Terminal : "no terminal event")} {(journaled.TryGetValue(r.RunId, out var j) ? j.Status : "")}").ToList();
        double Delta(string name) => after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
        var counters = after.Keys.Where(k => !k.StartsWith("activations:", StringComparison.Ordinal))
            .Select(k => (k, Delta(k) / n)).Where(p => p.Item2 != 0).OrderBy(p => p.k, StringComparer.Ordinal)
            .ToDictionary(p => p.k, p => Math.Round(p.Item2, 2), StringComparer.Ordinal);
        var calls = counters.Where(p => p.Key.StartsWith("calls:", StringComparison.Ordinal)).OrderByDescending(p => p.Value)
            .ToDictionary(p => p.Key["calls:".Length..], p => p.Value, StringComparer.Ordinal);
        var streamEvents = calls.Where(p => p.Key.Contains("Stream", StringComparison.Ordinal) || p.Key.Contains("Queue", StringComparison.Ordinal)).Sum(p => p.Value);
        var storageWrites = counters.GetValueOrDefault("orleans-storage-write-latency.count") + counters.GetValueOrDefault("factory.journal.writes")
            + counters.GetValueOrDefault("factory.artifacts.written");
        var runsPerSecond = n / seconds;
        return new BenchReport
        {
            Settings = new BenchSettings(options.Runs, options.Tenants, options.InFlight, options.Blueprint?.Name ?? "clinic-appointments.yaml", options.Mode, options.Silos,
                options.CompileGate ? "on" : "off", baselineRuns, options.Warmup, options.SubmitConcurrency, options.KillSiloAfter, Environment.ProcessorCount),
            Seconds = Math.Round(seconds, 2),
            RunsPerSecond = Math.Round(runsPerSecond, 2),
            Baseline = baseline,
            RatioToBaseline = Math.Round(runsPerSecond / baseline.RunsPerSecond, 3),
            AgentStepsPerSecond = Math.Round(records.Sum(r => r.AgentSteps) / seconds, 1),
            SubmitMs = Latency.Of([.. records.Where(r => r.RunId.Length > 0).Select(r => r.SubmitMs)]),
            SteadySubmitMs = Latency.Of([.. records.Where(r => r.RunId.Length > 0 && r.Index >= options.InFlight).Select(r => r.SubmitMs)]),
            FirstEventMs = Latency.Of([.. records.Where(r => !double.IsNaN(r.FirstEventAt)).Select(r => (r.FirstEventAt - r.SubmittedAt) * 1000)]),
            LastEventMs = Latency.Of([.. records.Where(r => !double.IsNaN(r.LastEventAt)).Select(r => (r.LastEventAt - r.SubmittedAt) * 1000)]),
            EventsDelivered = records.Sum(r => r.Delivered),
            EventsJournaled = records.Sum(r => journaled.TryGetValue(r.RunId, out var j) ? j.Events : 0),
            DuplicateEvents = records.Sum(r => r.Duplicates),
            MissingEvents = records.Sum(r => r.Gaps),
            FailedRuns = failures.Count,
            Failures = [.. failures.Take(10)],
            GrainCallsPerRun = Math.Round(calls.Values.Sum(), 1),
            StreamEventsPerRun = Math.Round(streamEvents, 1),
            StorageWritesPerRun = Math.Round(storageWrites, 1),
            ActivationsPerRun = Math.Round(counters.GetValueOrDefault("orleans-catalog-activation-created"), 1),
            ActivationsAfter = after.Where(p => p.Key.StartsWith("activations:", StringComparison.Ordinal)).ToDictionary(p => p.Key["activations:".Length..], p => (long)p.Value, StringComparer.Ordinal),
            GrainCallsPerRunByInterface = calls,
            CountersPerRun = counters,
            SiloCpuMsPerRun = Math.Round(Delta("cpu-seconds") * 1000 / n, 1),
            SiloAllocatedKbPerRun = Math.Round(Delta("allocated-bytes") / 1024 / n, 0),
            SiloGcPer1000Runs = [.. Enumerable.Range(0, 3).Select(g => Math.Round(Delta($"gc-gen{g}") * 1000 / n, 1))],
            SiloPeakBytes = [.. silos.Select(s => s.PeakBytes)],
            Kill = kill,
        };
    }

    private void Print(BenchReport r)
    {
        const double MiB = 1024 * 1024;
        output.WriteLine();
        output.WriteLine($"mode {r.Settings.Mode}, {r.Settings.Silos} silo(s), {r.Settings.Runs} runs of {r.Settings.Blueprint}, {r.Settings.Tenants} tenants, {r.Settings.InFlight} in flight ({r.Settings.SubmitConcurrency} submissions at once), compile gate {r.Settings.CompileGate}, {r.Settings.ProcessorCount} cores");
        output.WriteLine($"runs/s                 {r.RunsPerSecond:F1}   ({r.Seconds:F1} s)");
        var sides = r.BaselineBefore is { } b && r.BaselineAfter is { } a ? $"   (before the load {b.RunsPerSecond:F1}, after it {a.RunsPerSecond:F1})" : "";
        output.WriteLine($"baseline runs/s        {r.Baseline.RunsPerSecond:F1}   ratio {r.RatioToBaseline:F3}{sides}");
        output.WriteLine($"CPU per run            silo {r.SiloCpuMsPerRun:F1} ms{(r.PostgresCpuMsPerRun is { } pg ? $" + PostgreSQL {pg:F1} ms" : "")}, baseline {r.Baseline.CpuMsPerRun:F1} ms   ratio {r.CpuRatioToBaseline:F3}");
        output.WriteLine($"load generator         {r.LoadGeneratorCpuMsPerRun:F1} CPU ms per run (this process's submitters and watchers, on the same cores); ceiling of the ratio with it {r.CeilingRatio:F3}");
        output.WriteLine($"load average           {r.LoadAverage} (other processes on the machine disturb wall-clock figures)");
        if (r.CompileGateShare is { } share)
        {
            output.WriteLine($"compile gate           {share:P0} of the work's CPU (baseline with and without it)");
        }

        output.WriteLine($"agent steps/s          {r.AgentStepsPerSecond:F0}");
        output.WriteLine($"submit ms              p50 {r.SubmitMs.P50:F1}  p95 {r.SubmitMs.P95:F1}  p99 {r.SubmitMs.P99:F1}{(r.Settings.Runs > r.Settings.InFlight ? $"   once {r.Settings.InFlight} were in flight: p50 {r.SteadySubmitMs.P50:F1}  p95 {r.SteadySubmitMs.P95:F1}  p99 {r.SteadySubmitMs.P99:F1}" : "")}");
        output.WriteLine($"first event ms         p50 {r.FirstEventMs.P50:F1}  p99 {r.FirstEventMs.P99:F1}");
        output.WriteLine($"last event ms          p50 {r.LastEventMs.P50:F1}  p99 {r.LastEventMs.P99:F1}");
        output.WriteLine($"events                 delivered {r.EventsDelivered}  journaled {r.EventsJournaled}  duplicates {r.DuplicateEvents}  missing {r.MissingEvents}");
        output.WriteLine($"per run                grain calls {r.GrainCallsPerRun:F1}  stream events {r.StreamEventsPerRun:F1}  storage writes {r.StorageWritesPerRun:F1}  activations {r.ActivationsPerRun:F1}  silo CPU {r.SiloCpuMsPerRun:F1} ms");
        output.WriteLine($"allocated per run      silo {r.SiloAllocatedKbPerRun:F0} KiB, baseline {r.Baseline.AllocatedKbPerRun:F0} KiB; silo GCs per 1000 runs gen0/1/2 {string.Join('/', r.SiloGcPer1000Runs.Select(g => g.ToString("F1", CultureInfo.InvariantCulture)))}");
        output.WriteLine($"silo peak memory       {string.Join(", ", r.SiloPeakBytes.Select(b => $"{b / MiB:F0} MiB"))}");
        output.WriteLine($"activations after      {string.Join(", ", r.ActivationsAfter.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}"))}");
        output.WriteLine($"failed runs            {r.FailedRuns}");
        foreach (var failure in r.Failures)
        {
            output.WriteLine($"  {failure}");
        }

        if (r.Kill is { } k)
        {
            output.WriteLine($"killed silo            at {k.KilledAtSeconds:F1} s, {k.AffectedRuns} runs affected; resume ms p50 {k.ResumeMs.P50:F0} p99 {k.ResumeMs.P99:F0} max {k.ResumeMs.Max:F0}; finish ms p50 {k.FinishMs.P50:F0} max {k.FinishMs.Max:F0}; all finished: {k.AllFinished}");
        }

        output.WriteLine("grain calls per run by interface:");
        foreach (var (name, value) in r.GrainCallsPerRunByInterface.Take(12))
        {
            output.WriteLine($"  {value,8:F1}  {name}");
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the bench from inside the Factory repository (no Factory.sln found above the current folder).");
    }

    private static string SiloDll(string repository)
    {
        // The silo is built with the bench, in the same configuration (bin/<Configuration>/<tfm>/).
        var tfm = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Name;
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(repository, "src", "Silo", "bin", configuration, tfm, "Factory.Silo.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The silo is not built at {dll}: build bench/Factory.Bench (it builds the silo too).");
    }
}
