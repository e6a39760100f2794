using System.CommandLine;
using Factory.Blueprints;
using Factory.Bundles;
using Factory.Cli.Bundles;
using Factory.Cli.Client;
using Factory.Cli.Commands.Client;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary>
/// <c>factory replay BUNDLE</c>: re-executes a bundled run on an embedded silo (same canonical blueprint,
/// same tenant) and reports, per artifact, whether the replay reproduced its hash. With <c>--gateway</c>,
/// <c>factory replay RUN [--watch]</c> has the gateway replay a run of the caller's tenant and, with
/// <c>--watch</c>, follows the replay to its end and diffs it with the original.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var bundle = new Argument<string>("bundle") { Description = "A trace bundle file, or a saved run's id (or unique prefix); with --gateway, a run id." };
        var store = new Option<DirectoryInfo?>("--store") { Description = "Artifact store folder (default: factory/artifacts under the user's local data folder)." };
        var templates = new Option<DirectoryInfo?>("--templates") { Description = "A template-pack folder that replaces the built-in pack." };
        var runs = new Option<DirectoryInfo?>("--runs") { Description = "Run library folder to look run ids up in (default: factory/runs under the user's local data folder)." };
        var output = new Option<FileInfo?>("--bundle") { Description = "Write the replayed run's own bundle to this file (to diff it with the original)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the silo's logs." };
        var watch = new Option<bool>("--watch", "-w") { Description = "With --gateway: follow the replay to its end and diff it with the original (exit 0 identical, 1 different)." };
        var command = new Command("replay", "Re-execute a bundled run and check that every artifact's hash is reproduced.")
        {
            bundle, store, templates, runs, output, verbose, watch,
        };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (GatewayConnection.IsRequested(parse, gateway))
            {
                return GatewayConnection.RefusesEmbeddedOptions(parse, errors, store, templates, runs, output, verbose)
                    ? ExitCodes.InvalidInput
                    : await ReplayRemoteAsync(parse, gateway, parse.GetValue(bundle)!, parse.GetValue(watch), console, errors, cancellationToken);
            }

            if (parse.GetValue(watch))
            {
                errors.MarkupLine("[red]--watch applies to a replay on a gateway only (give --gateway or set FACTORY_GATEWAY); the embedded replay always runs to its end.[/]");
                return ExitCodes.InvalidInput;
            }

            var library = RunLibrary.For(parse.GetValue(runs)?.FullName, null);
            if (await BundleInput.OpenAsync(parse.GetValue(bundle)!, library, errors, cancellationToken) is not { } recorded)
            {
                return ExitCodes.InvalidInput;
            }

            var options = new ReplayOptions(parse.GetValue(store)?.FullName, parse.GetValue(templates)?.FullName, parse.GetValue(output)?.FullName, parse.GetValue(verbose));
            return await ExecuteAsync(recorded, options, console, errors, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Has the gateway replay <paramref name="runId"/> and prints the new run's id; with <paramref name="watch"/>,
    /// follows it to its end and prints how it differs from the original, as <c>factory diff</c> does.
    /// </summary>
    private static Task<int> ReplayRemoteAsync(
        ParseResult parse, GatewayConnection.Options gateway, string runId, bool watch, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken) =>
        GatewayConnection.RunAsync(parse, gateway, errors, runId, async connection =>
        {
            var replay = await connection.Runs.ReplayRunAsync(new Gateway.V1.ReplayRunRequest { RunId = runId }, cancellationToken: cancellationToken);
            console.WriteLine($"run {replay.RunId}");
            console.WriteLine($"trace {replay.TraceId}");
            console.WriteLine($"replay of {replay.ReplayOf}");
            if (!watch)
            {
                return ExitCodes.Success;
            }

            var ended = await SubmitCommand.WatchToEndAsync(connection, replay.RunId, console, errors, cancellationToken);
            if (ended.Status == Gateway.V1.RunStatus.Running)
            {
                errors.MarkupLine($"[red]The watch of run {Markup.Escape(replay.RunId)} ended before the run did; compare later with factory diff {Markup.Escape(runId)} {Markup.Escape(replay.RunId)}.[/]");
                return ExitCodes.RunFailed;
            }

            var diff = await RemoteDiff.CompareAsync(connection, runId, replay.RunId, cancellationToken);
            return await DiffCommand.WriteAsync(diff, stat: false, json: false, console, cancellationToken);
        }, cancellationToken);

    private sealed record ReplayOptions(string? Store, string? Templates, string? Bundle, bool Verbose);

    private static async Task<int> ExecuteAsync(TraceBundle recorded, ReplayOptions options, IAnsiConsole console, IAnsiConsole errors, CancellationToken cancellationToken)
    {
        var manifest = recorded.Manifest;
        var loaded = BlueprintLoader.Load(recorded.BlueprintJson, TraceBundle.BlueprintEntry);
        if (!loaded.IsValid)
        {
            errors.MarkupLine($"[red]The bundle's {TraceBundle.BlueprintEntry} no longer validates: {Markup.Escape(string.Join("; ", loaded.Problems))}[/]");
            return ExitCodes.InvalidInput;
        }

        if (loaded.Hash != manifest.Blueprint.Sha256)
        {
            errors.MarkupLine($"[red]Cannot replay: this Factory's canonical form of the blueprint hashes to {loaded.Hash}, not {manifest.Blueprint.Sha256}; the run cannot be reproduced by this version.[/]");
            return ExitCodes.Differences;
        }

        if (!TenantIds.IsValid(manifest.TenantId))
        {
            errors.MarkupLine($"[red]The bundle's tenant '{Markup.Escape(manifest.TenantId)}' is not a tenant id.[/]");
            return ExitCodes.InvalidInput;
        }

        try
        {
            await using var factory = await EmbeddedFactory.StartAsync(options.Store, options.Templates, options.Verbose, cancellationToken);
            if (!string.Equals(factory.TemplatePack, manifest.TemplatePack, StringComparison.Ordinal))
            {
                errors.MarkupLine($"[red]Cannot replay run {manifest.RunId}: it was made with template pack {Markup.Escape(manifest.TemplatePack)}, and this Factory runs {Markup.Escape(factory.TemplatePack)}. Artifacts would differ for that reason alone; replay with --templates pointing at pack {Markup.Escape(manifest.TemplatePack)}.[/]");
                return ExitCodes.Differences;
            }

            var submission = await factory.Grains.GetGrain<ITenantGrain>(manifest.TenantId).SubmitRunAsync(new RunRequest
            {
                BlueprintJson = recorded.BlueprintJson,
                BaselineBlueprintJson = recorded.BaselineJson,
                BaselineRecorded = true,
                Replay = true,
                RecordedExchanges = LlmTrace.Recorded(recorded.Events.Select(TraceEventJson.Deserialize)),
            });
            console.MarkupLine($"Replaying run [bold]{manifest.RunId}[/] of {Markup.Escape(manifest.Blueprint.Name)}@{Markup.Escape(manifest.Blueprint.Version)} for tenant {Markup.Escape(manifest.TenantId)} as run [bold]{submission.RunId}[/]");
            var run = factory.Grains.GetGrain<IRunGrain>(submission.RunId);
            var events = new List<string>();
            await foreach (var e in run.WatchAsync(0, cancellationToken))
            {
                events.Add(TraceFile.Serialize(e));
            }

            var replayed = await run.GetSnapshotAsync();
            if (options.Bundle is { } path)
            {
                var contents = await ArtifactFolder.ReadAsync(replayed.Artifacts, factory.Artifacts, cancellationToken);
                await TraceBundleFile.WriteAsync(path, TraceBundle.Create(replayed, recorded.BlueprintJson, events, contents, recorded.BaselineJson), cancellationToken);
                console.MarkupLine($"Replayed run's bundle written to {Markup.Escape(path)}");
            }

            return Report(manifest, replayed, console);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.MarkupLine("[yellow]Interrupted: the embedded silo stopped with the replay unfinished.[/]");
            return ExitCodes.Cancelled;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            errors.MarkupLine($"[red]factory replay failed: {Markup.Escape(RunCommand.Messages(exception))}[/]");
            if (options.Verbose)
            {
                errors.WriteException(exception);
            }

            return ExitCodes.RunFailed;
        }
    }

    /// <summary>Prints one line per artifact and the verdict; returns the exit code.</summary>
    private static int Report(BundleManifest recorded, RunSnapshot replayed, IAnsiConsole console)
    {
        var before = recorded.Artifacts.ToDictionary(a => a.Path, a => a.Sha256, StringComparer.Ordinal);
        var after = replayed.Artifacts.ToDictionary(a => a.Path, a => a.Sha256, StringComparer.Ordinal);
        var matched = 0;
        var problems = new List<string>();
        foreach (var path in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var line = (before.GetValueOrDefault(path), after.GetValueOrDefault(path)) switch
            {
                ({ } x, { } y) when x == y => $"  [green]match[/]     {Markup.Escape(path)}",
                ({ } x, { } y) => $"  [red]MISMATCH[/]  {Markup.Escape(path)} (recorded {x[..12]}…, replayed {y[..12]}…)",
                ({ }, null) => $"  [red]MISSING[/]   {Markup.Escape(path)} (recorded, not produced by the replay)",
                _ => $"  [red]EXTRA[/]     {Markup.Escape(path)} (produced by the replay, not recorded)",
            };
            if (before.GetValueOrDefault(path) is { } b && b == after.GetValueOrDefault(path))
            {
                matched++;
            }
            else
            {
                problems.Add(path);
            }

            console.MarkupLine(line);
        }

        var statusDiffers = replayed.Status != recorded.Status;
        if (statusDiffers)
        {
            console.MarkupLine($"  [red]STATUS[/]    recorded {recorded.Status}, replayed {replayed.Status} {Markup.Escape(replayed.Reason)}".TrimEnd());
        }

        if (problems.Count == 0 && !statusDiffers)
        {
            console.MarkupLine($"[green]Replay reproduced run {recorded.RunId}: {matched} of {before.Count} artifact hashes match.[/]");
            return ExitCodes.Success;
        }

        console.MarkupLine($"[red]Replay of run {recorded.RunId} differs: {matched} of {before.Count} artifact hashes match; {problems.Count} artifact(s) differ{(statusDiffers ? ", and the status differs" : "")}.[/]");
        foreach (var path in problems)
        {
            console.MarkupLine($"  {Markup.Escape(path)}");
        }

        return ExitCodes.Differences;
    }
}
