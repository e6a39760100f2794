using System.CommandLine;
using Factory.Bench;

var runs = new Option<int>("--runs") { Description = "Runs to submit.", DefaultValueFactory = _ => 10_000 };
var tenants = new Option<int>("--tenants") { Description = "Tenants to spread them over (each with its own blueprint variant).", DefaultValueFactory = _ => 1_000 };
var inFlight = new Option<int>("--in-flight") { Description = "Most runs in flight at once.", DefaultValueFactory = _ => 2_000 };
var blueprint = new Option<FileInfo>("--blueprint") { Description = "The blueprint (default: blueprints/clinic-appointments.yaml of the repository)." };
var mode = new Option<string>("--mode") { Description = "embedded or postgres.", DefaultValueFactory = _ => "embedded" };
mode.AcceptOnlyFromAmong("embedded", "postgres");
var silos = new Option<int>("--silos") { Description = "Silo processes (postgres mode; one cluster on one database).", DefaultValueFactory = _ => 1 };
var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string (postgres mode); without it a private server is started." };
var postgresBin = new Option<string>("--postgres-bin") { Description = "Where initdb and pg_ctl are, for the private server.", DefaultValueFactory = _ => "/usr/lib/postgresql/15/bin" };
var compileGate = new Option<string>("--compile-gate") { Description = "on or off: sets the blueprint's compiles rule to block or off.", DefaultValueFactory = _ => "off" };
compileGate.AcceptOnlyFromAmong("on", "off");
var killAfter = new Option<double?>("--kill-silo-after") { Description = "Seconds into the load to SIGKILL the last silo (postgres, 2 silos or more)." };
var baselineRuns = new Option<int?>("--baseline-runs") { Description = "Runs of bare work for the baseline (default: min(runs, 1000))." };
var warmup = new Option<int>("--warmup") { Description = "Runs before the measured load (not counted), and as many bare-work runs before each baseline: both are measured once the JIT has compiled their hot code at its later tiers.", DefaultValueFactory = _ => 1000 };
var submitConcurrency = new Option<int>("--submit-concurrency") { Description = "Most submissions awaiting their answer at once.", DefaultValueFactory = _ => 32 };
var siloSettings = new Option<string[]>("--silo-setting") { Description = "A setting for every silo, KEY=VALUE (e.g. Factory:Runtime:MaxConcurrentSkills=4); repeatable.", AllowMultipleArgumentsPerToken = false };
var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." };

var root = new RootCommand("Factory's load benchmark: runs through the real gRPC gateway against a bare-work baseline.")
{
    runs, tenants, inFlight, blueprint, mode, silos, connection, postgresBin, compileGate, killAfter, baselineRuns, warmup, submitConcurrency, siloSettings, json,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new BenchOptions
    {
        Runs = parse.GetValue(runs),
        Tenants = parse.GetValue(tenants),
        InFlight = parse.GetValue(inFlight),
        Blueprint = parse.GetValue(blueprint),
        Mode = parse.GetValue(mode)!,
        Silos = parse.GetValue(silos),
        Connection = parse.GetValue(connection),
        PostgresBin = parse.GetValue(postgresBin)!,
        CompileGate = parse.GetValue(compileGate) == "on",
        KillSiloAfter = parse.GetValue(killAfter),
        BaselineRuns = parse.GetValue(baselineRuns),
        Warmup = parse.GetValue(warmup),
        SubmitConcurrency = parse.GetValue(submitConcurrency),
        Json = parse.GetValue(json),
        SiloSettings = parse.GetValue(siloSettings) ?? [],
    };
    if (options.Validate() is { } problem)
    {
        await Console.Error.WriteLineAsync(problem);
        return 2;
    }

    var report = await new Bench(options, Console.Out).RunAsync(cancellationToken);
    return report.FailedRuns == 0 && report.EventsDelivered == report.EventsJournaled && report.DuplicateEvents == 0 ? 0 : 1;
});
return await root.Parse(args).InvokeAsync();
