using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Factory.Bundles;
using Factory.Cli.Bundles;
using Factory.Cli.Client;
using Spectre.Console;

namespace Factory.Cli.Commands;

/// <summary>
/// <c>factory diff A B</c>: compares two runs (bundle files or saved run ids; with <c>--gateway</c>, two run ids
/// the gateway compares): changed, added and removed artifacts with a unified diff per changed text file, changed
/// gate results and changed blueprint paths.
/// Exits 0 when they are identical, 1 when they differ, 2 on bad input (for a gateway also an unknown run or one
/// that has not ended).
/// </summary>
internal static class DiffCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Command Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var a = new Argument<string>("a") { Description = "The first (old) run: a bundle file or a saved run's id (or unique prefix); with --gateway, a run id." };
        var b = new Argument<string>("b") { Description = "The second (new) run: a bundle file or a saved run's id (or unique prefix); with --gateway, a run id." };
        var stat = new Option<bool>("--stat") { Description = "Names only: no values and no file diffs." };
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var runs = new Option<DirectoryInfo?>("--runs") { Description = "Run library folder to look run ids up in (default: factory/runs under the user's local data folder)." };
        var command = new Command("diff", "Compare two runs: artifacts (with unified diffs), gate results and blueprint fields.")
        {
            a, b, stat, json, runs,
        };
        var gateway = GatewayConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            var namesOnly = parse.GetValue(stat);
            if (GatewayConnection.IsRequested(parse, gateway))
            {
                if (GatewayConnection.RefusesEmbeddedOptions(parse, errors, runs))
                {
                    return ExitCodes.InvalidInput;
                }

                return await GatewayConnection.RunAsync(parse, gateway, errors, runId: null, async connection =>
                {
                    var remote = await RemoteDiff.CompareAsync(connection, parse.GetValue(a)!, parse.GetValue(b)!, cancellationToken);
                    return await WriteAsync(remote, namesOnly, asJson, console, cancellationToken);
                }, cancellationToken);
            }

            var library = RunLibrary.For(parse.GetValue(runs)?.FullName, null);
            if (await BundleInput.OpenAsync(parse.GetValue(a)!, library, errors, cancellationToken) is not { } first
                || await BundleInput.OpenAsync(parse.GetValue(b)!, library, errors, cancellationToken) is not { } second)
            {
                return ExitCodes.InvalidInput;
            }

            return await WriteAsync(BundleDiff.Compare(first, second), namesOnly, asJson, console, cancellationToken);
        });
        return command;
    }

    /// <summary>Prints <paramref name="diff"/> as text or JSON; returns 0 when identical, 1 otherwise.</summary>
    internal static async Task<int> WriteAsync(BundleDiff diff, bool stat, bool json, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var writer = console.Profile.Out.Writer;
        if (json)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(ToJson(diff, stat), Json));
        }
        else
        {
            await writer.WriteAsync(ToText(diff, stat));
        }

        await writer.FlushAsync(cancellationToken);
        return diff.Identical ? ExitCodes.Success : ExitCodes.Differences;
    }

    /// <summary>The human-readable report.</summary>
    internal static string ToText(BundleDiff diff, bool stat)
    {
        var text = new System.Text.StringBuilder();
        text.Append("a: ").AppendLine(Headline(diff.A));
        text.Append("b: ").AppendLine(Headline(diff.B));
        if (diff.Identical)
        {
            text.AppendLine("no differences");
            return text.ToString();
        }

        if (!diff.Run.IsEmpty)
        {
            text.AppendLine($"run: {diff.Run.Length} field(s) changed");
            foreach (var change in diff.Run)
            {
                text.AppendLine(stat ? $"  ~ {change.Field}" : $"  ~ {change.Field}: {change.Old} -> {change.New}");
            }
        }

        if (!diff.Blueprint.IsEmpty)
        {
            text.AppendLine($"blueprint: {diff.Blueprint.Length} path(s) changed");
            foreach (var change in diff.Blueprint)
            {
                text.AppendLine((change.Kind, stat) switch
                {
                    (_, true) => $"  {Marker(change.Kind)} {change.Path}",
                    (ChangeKind.Added, _) => $"  + {change.Path}: {change.New}",
                    (ChangeKind.Removed, _) => $"  - {change.Path}: {change.Old}",
                    _ => $"  ~ {change.Path}: {change.Old} -> {change.New}",
                });
            }
        }

        if (!diff.Artifacts.IsEmpty)
        {
            text.AppendLine($"artifacts: {Count(diff.Artifacts, ChangeKind.Changed)} changed, {Count(diff.Artifacts, ChangeKind.Added)} added, {Count(diff.Artifacts, ChangeKind.Removed)} removed");
            foreach (var change in diff.Artifacts)
            {
                text.AppendLine($"  {change.Kind switch { ChangeKind.Added => 'A', ChangeKind.Removed => 'D', _ => 'M' }} {change.Path}");
            }
        }

        if (!diff.Gates.IsEmpty)
        {
            text.AppendLine($"gates: {diff.Gates.Length} result(s) changed");
            foreach (var change in diff.Gates)
            {
                var name = $"{change.Module}/{change.RuleId}";
                text.AppendLine(stat
                    ? $"  {Marker(change.Kind)} {name}"
                    : $"  {Marker(change.Kind)} {name}: {change.Old ?? "(none)"} -> {change.New ?? "(none)"}{(change.OldSummary != change.NewSummary ? $" ({change.OldSummary ?? "-"} -> {change.NewSummary ?? "-"})" : "")}");
            }
        }

        if (!stat)
        {
            foreach (var change in diff.Artifacts.Where(c => c.Kind == ChangeKind.Changed))
            {
                text.AppendLine();
                if (change.UnifiedDiff is { } unified)
                {
                    text.Append(unified);
                    if (!unified.EndsWith('\n'))
                    {
                        text.AppendLine();
                    }
                }
                else
                {
                    text.AppendLine($"Binary files a/{change.Path} and b/{change.Path} differ");
                }
            }
        }

        return text.ToString();

        static int Count(IEnumerable<ArtifactChange> changes, ChangeKind kind) => changes.Count(c => c.Kind == kind);
    }

    private static string Headline(BundleManifest m) =>
        $"run {m.RunId} {m.Blueprint.Name}@{m.Blueprint.Version} (blueprint {m.Blueprint.Sha256[..Math.Min(12, m.Blueprint.Sha256.Length)]}) {m.Status.ToString().ToLowerInvariant()}{(m.TenantId.Length > 0 ? $", tenant {m.TenantId}" : "")}, pack {m.TemplatePack}";

    private static char Marker(ChangeKind kind) => kind switch { ChangeKind.Added => '+', ChangeKind.Removed => '-', _ => '~' };

    private static object ToJson(BundleDiff diff, bool stat) => new
    {
        diff.Identical,
        A = Run(diff.A),
        B = Run(diff.B),
        Run = diff.Run,
        Blueprint = diff.Blueprint.Select(c => new { c.Path, Change = c.Kind, Old = stat ? null : c.Old, New = stat ? null : c.New }),
        Artifacts = diff.Artifacts.Select(c => new { c.Path, Change = c.Kind, c.OldSha256, c.NewSha256, Diff = stat ? null : c.UnifiedDiff }),
        Gates = diff.Gates.Select(c => new { c.Module, c.RuleId, Change = c.Kind, c.Old, c.New, c.OldSummary, c.NewSummary }),
    };

    private static object Run(BundleManifest m) => new
    {
        m.RunId,
        TenantId = m.TenantId.Length > 0 ? m.TenantId : null,
        m.Status,
        m.Blueprint,
        m.TemplatePack,
    };
}
