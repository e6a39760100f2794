using System.CommandLine;
using Factory.Bundles;
using Factory.Cli.Bundles;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary>
/// <c>factory run BLUEPRINT --out DIR</c>: starts an embedded single-node silo, submits the blueprint
/// for a tenant, shows the run live, writes the artifacts and the trace, keeps the run's trace bundle in
/// the run library, and prints a summary.
/// </summary>
internal static class RunCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var blueprint = new Argument<FileInfo?>("blueprint") { Description = "The blueprint YAML file.", Arity = ArgumentArity.ZeroOrOne };
        var prompt = new Option<string?>("--prompt") { Description = "Describe the service instead of giving a blueprint: the tenant's chat model (Factory:Llm) plans the blueprint." };
        var output = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Folder for the generated modules and the trace.",
            DefaultValueFactory = _ => new DirectoryInfo("out"),
        };
        var tenant = new Option<string>("--tenant") { Description = "Tenant to run as.", DefaultValueFactory = _ => FactoryNames.DefaultTenant };
        var store = new Option<DirectoryInfo?>("--store") { Description = "Artifact store folder (default: factory/artifacts under the user's local data folder)." };
        var templates = new Option<DirectoryInfo?>("--templates") { Description = "A template-pack folder that replaces the built-in pack." };
        var runs = new Option<DirectoryInfo?>("--runs") { Description = "Run library folder, where every run's bundle is kept (default: runs beside the artifact store)." };
        var bundle = new Option<FileInfo?>("--bundle") { Description = "Also write the run's trace bundle to this file." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's logs." };
        var command = new Command("run", "Run a blueprint on an embedded single-node Factory and write its output.")
        {
            blueprint, prompt, output, tenant, store, templates, runs, bundle, verbose,
        };
        command.SetAction((parse, cancellationToken) => ExecuteAsync(new RunArguments(
            parse.GetValue(blueprint),
            parse.GetValue(prompt),
            parse.GetValue(output)!,
            parse.GetValue(tenant)!,
            parse.GetValue(store),
            parse.GetValue(templates),
            parse.GetValue(runs),
            parse.GetValue(bundle),
            parse.GetValue(verbose)), console, errors, cancellationToken));
        return command;
    }

    private sealed record RunArguments(FileInfo? Blueprint, string? Prompt, DirectoryInfo Out, string Tenant, DirectoryInfo? Store, DirectoryInfo? Templates, DirectoryInfo? Runs, FileInfo? Bundle, bool Verbose);

    private static async Task<int> ExecuteAsync(RunArguments args, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        if ((args.Blueprint is null) == string.IsNullOrWhiteSpace(args.Prompt))
        {
            errors.MarkupLine("[red]Give either a blueprint file or --prompt \"text\".[/]");
            return ExitCodes.InvalidInput;
        }

        Blueprints.Blueprint? blueprint = null;
        string? canonical = null;
        if (args.Blueprint is not null)
        {
            if (BlueprintInput.Load(args.Blueprint, errors) is not { Blueprint: { } loaded, CanonicalJson: { } json })
            {
                return ExitCodes.InvalidInput;
            }

            (blueprint, canonical) = (loaded, json);
        }

        if (!TenantIds.IsValid(args.Tenant))
        {
            errors.MarkupLine($"[red]--tenant '{Markup.Escape(args.Tenant)}' is not a tenant id: use 1-63 lower-case letters, digits and '-'.[/]");
            return ExitCodes.InvalidInput;
        }

        Directory.CreateDirectory(args.Out.FullName);
        try
        {
            // The embedded silo starts empty: the tenant's promoted release of this blueprint, which the
            // breaking-change gate compares with, comes from the run library.
            var library = RunLibrary.For(args.Runs?.FullName, args.Store?.FullName);
            await using var factory = await EmbeddedFactory.StartAsync(args.Store?.FullName, args.Templates?.FullName, args.Verbose, cancellationToken);
            PlannedBlueprint? planned = null;
            if (blueprint is null || canonical is null)
            {
                try
                {
                    planned = await factory.Grains.GetGrain<IPlannerGrain>(args.Tenant).PlanAsync(args.Prompt!);
                }
                catch (Exception exception) when (exception is LlmNotConfiguredException or BlueprintPlanningException or ArgumentException)
                {
                    errors.MarkupLine($"[red]{Markup.Escape(exception.Message)}[/]");
                    return ExitCodes.InvalidInput;
                }

                canonical = planned.CanonicalJson;
                blueprint = Blueprints.BlueprintLoader.Load(canonical).Blueprint!;
                console.MarkupLine($"Planned {Markup.Escape(planned.Name)}@{Markup.Escape(planned.Version)} (sha256 {planned.Sha256[..12]}…) from the prompt in {planned.Exchanges.Length} answer(s)");
            }

            var baseline = await library.FindPromotedBlueprintAsync(args.Tenant, blueprint.Metadata.Name, cancellationToken);
            var submission = await factory.Grains.GetGrain<ITenantGrain>(args.Tenant).SubmitRunAsync(new RunRequest
            {
                BlueprintJson = canonical,
                BaselineBlueprintJson = baseline,
                BaselineRecorded = true,
                Prompt = planned is null ? "" : args.Prompt!,
                PlannerExchanges = planned?.Exchanges ?? [],
            });
            var run = factory.Grains.GetGrain<IRunGrain>(submission.RunId);
            console.MarkupLine($"Run [bold]{submission.RunId}[/] of {Markup.Escape(blueprint.Metadata.Name)}@{Markup.Escape(blueprint.Metadata.Version)} for tenant {Markup.Escape(args.Tenant)} (trace {submission.TraceId})");

            var tracePath = Path.Combine(args.Out.FullName, "trace.jsonl");
            var view = new RunProgressView((await run.GetSnapshotAsync()).Tasks);
            IReadOnlyList<string> events;
            await using (var trace = new TraceFile(tracePath))
            {
                await WatchAsync(run, view, trace, console, cancellationToken);
                events = trace.Lines;
            }

            var snapshot = await run.GetSnapshotAsync();
            var contents = await ArtifactFolder.ReadAsync(snapshot.Artifacts, factory.Artifacts, cancellationToken);
            var written = await ArtifactFolder.WriteAsync(args.Out.FullName, contents, cancellationToken);
            await RunSummaryFile.WriteAsync(Path.Combine(args.Out.FullName, "run.json"), snapshot, cancellationToken);

            var traceBundle = TraceBundle.Create(snapshot, canonical, events, contents, baseline);
            var saved = await library.SaveAsync(traceBundle, cancellationToken);
            if (args.Bundle is not null)
            {
                await TraceBundleFile.WriteAsync(args.Bundle.FullName, traceBundle, cancellationToken);
            }

            PrintSummary(console, snapshot, written, args.Out.FullName, tracePath, args.Bundle is null ? saved : $"{saved} and {args.Bundle.FullName}");
            return snapshot.Status switch
            {
                RunStatus.Succeeded => ExitCodes.Success,
                RunStatus.Blocked => ExitCodes.RunBlocked,
                RunStatus.Cancelled => ExitCodes.Cancelled,
                _ => ExitCodes.RunFailed,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]Interrupted: the embedded silo stopped with the run unfinished.[/]");
            return ExitCodes.Cancelled;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            errors.MarkupLine($"[red]factory run failed: {Markup.Escape(Messages(exception))}[/]");
            if (args.Verbose)
            {
                errors.WriteException(exception);
            }

            return ExitCodes.RunFailed;
        }
    }

    /// <summary>The exception's message and its causes', innermost last.</summary>
    internal static string Messages(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        return string.Join(" -> ", messages);
    }

    private static async Task WatchAsync(IRunGrain run, RunProgressView view, TraceFile trace, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Live(view.Render()).AutoClear(false).StartAsync(async live =>
            {
                await foreach (var e in run.WatchAsync(0, cancellationToken))
                {
                    await trace.WriteAsync(e);
                    view.Apply(e);
                    live.UpdateTarget(view.Render());
                }
            });
            return;
        }

        await foreach (var e in run.WatchAsync(0, cancellationToken))
        {
            await trace.WriteAsync(e);
            if (view.Apply(e) is { } line)
            {
                console.WriteLine($"[{e.Sequence,4}] {line}");
            }
        }
    }

    private static void PrintSummary(IAnsiConsole console, RunSnapshot run, int written, string outDir, string tracePath, string bundlePath)
    {
        var color = run.Status == RunStatus.Succeeded ? "green" : "red";
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("run", run.RunId);
        grid.AddRow("trace id", run.TraceId);
        grid.AddRow("status", $"[{color}]{run.Status}[/]");
        if (run.Reason.Length > 0)
        {
            grid.AddRow("reason", Markup.Escape(run.Reason));
        }

        grid.AddRow("blueprint", $"{Markup.Escape(run.BlueprintName)}@{Markup.Escape(run.BlueprintVersion)} (sha256 {run.BlueprintHash[..12]}…)");
        grid.AddRow("tasks", $"{run.Tasks.Count(t => t.Status == PlanTaskStatus.Succeeded)}/{run.Tasks.Length} done");
        grid.AddRow("artifacts", $"{written} written to {Markup.Escape(outDir)}");
        grid.AddRow("trace", $"{run.EventCount} events in {Markup.Escape(tracePath)}");
        grid.AddRow("bundle", Markup.Escape(bundlePath));
        if (run.EndedAt is { } ended)
        {
            grid.AddRow("duration", $"{(ended - run.SubmittedAt).TotalSeconds:F2} s");
        }

        var gates = run.Gates.Length == 0 ? "none evaluated" : $"{run.Gates.Count(g => g.Passed)}/{run.Gates.Length} passed";
        if (run.Gates.Any(g => g.Blocks))
        {
            gates += $", [red]{run.Gates.Count(g => g.Blocks)} blocking[/]";
        }

        if (run.Gates.Any(g => !g.Passed && g.Mode == GateMode.Warn))
        {
            gates += $", [yellow]{run.Gates.Count(g => !g.Passed && g.Mode == GateMode.Warn)} warning[/]";
        }

        grid.AddRow("gates", gates);
        grid.AddRow("cost", $"${run.CostUsd:0.######}");
        console.Write(new Panel(grid).Header("Factory run").BorderColor(run.Status == RunStatus.Succeeded ? Color.Green : Color.Red));
        PrintViolations(console, run);
    }

    /// <summary>Every violation of every gate that did not pass: rule id, mode, path and message.</summary>
    private static void PrintViolations(IAnsiConsole console, RunSnapshot run)
    {
        var failed = run.Gates.Where(g => !g.Passed).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumn("module").AddColumn("rule").AddColumn("mode").AddColumn("path").AddColumn("violation");
        foreach (var gate in failed)
        {
            var mode = gate.Mode == GateMode.Block ? "[red]block[/]" : "[yellow]warn[/]";
            foreach (var violation in gate.Violations.DefaultIfEmpty(new GateViolation(gate.RuleId, "", gate.Summary)))
            {
                table.AddRow(Markup.Escape(gate.Module), Markup.Escape(gate.RuleId), mode, Markup.Escape(violation.Path), Markup.Escape(violation.Message));
            }
        }

        console.Write(table.Title("Gate violations"));
    }
}
