using System.Collections.Immutable;
using System.Globalization;
using Spectre.Console;
using V1 = Factory.Gateway.V1;

namespace Factory.Cli.Client;

/// <summary>Maps the gateway's messages to what the command shows, in one place.</summary>
internal static class ProtoViews
{
    /// <summary>A trace event as the run's own record (for <see cref="RunProgressView"/>).</summary>
    public static TraceEvent ToEvent(V1.TraceEvent e) => new()
    {
        EventId = e.EventId,
        RunId = e.RunId,
        TenantId = "",
        TraceId = e.TraceId,
        SpanId = e.SpanId,
        ParentSpanId = e.ParentSpanId,
        Sequence = e.Sequence,
        Type = e.Type,
        Module = e.Module,
        Agent = e.Agent,
        Skill = e.Skill,
        Time = e.Time?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch,
        Attributes = e.Attributes.ToImmutableDictionary(StringComparer.Ordinal),
    };

    /// <summary>A run's plan as task states (for <see cref="RunProgressView"/>).</summary>
    public static IReadOnlyList<PlanTaskState> ToTasks(V1.Run run) =>
        [.. run.Tasks.Select(t => new PlanTaskState(
            new PlanTask(t.Id, t.Module, t.Role, []),
            Enum.TryParse<PlanTaskStatus>(t.Status, ignoreCase: true, out var status) ? status : PlanTaskStatus.Pending,
            t.Reason))];

    /// <summary>A status as the command names it: <c>running</c>, <c>succeeded</c>, ...</summary>
    public static string Name(V1.RunStatus status) => status switch
    {
        V1.RunStatus.Running => "running",
        V1.RunStatus.Succeeded => "succeeded",
        V1.RunStatus.Failed => "failed",
        V1.RunStatus.Blocked => "blocked",
        V1.RunStatus.Cancelled => "cancelled",
        _ => "unknown",
    };

    /// <summary>Parses a status name (<c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>blocked</c>, <c>cancelled</c>).</summary>
    public static V1.RunStatus? ParseStatus(string name) => name.ToLowerInvariant() switch
    {
        "running" => V1.RunStatus.Running,
        "succeeded" => V1.RunStatus.Succeeded,
        "failed" => V1.RunStatus.Failed,
        "blocked" => V1.RunStatus.Blocked,
        "cancelled" => V1.RunStatus.Cancelled,
        _ => null,
    };

    /// <summary>The exit code of a run in this status, as <c>factory run</c> exits (a running run: 0).</summary>
    public static int ExitCode(V1.RunStatus status) => status switch
    {
        V1.RunStatus.Succeeded or V1.RunStatus.Running => ExitCodes.Success,
        V1.RunStatus.Blocked => ExitCodes.RunBlocked,
        V1.RunStatus.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.RunFailed,
    };

    /// <summary>One line for a trace event: sequence, type, module/agent, skill and its telling attributes.</summary>
    public static string Line(V1.TraceEvent e)
    {
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"[{e.Sequence,4}]"), e.Type };
        if (e.Module.Length > 0)
        {
            parts.Add(e.Agent.Length > 0 ? $"{e.Module}/{e.Agent}" : e.Module);
        }

        if (e.Skill.Length > 0)
        {
            parts.Add(e.Skill);
        }

        foreach (var name in new[] { TraceAttributes.Path, TraceAttributes.Rule, TraceAttributes.Summary, TraceAttributes.Score, TraceAttributes.Reason })
        {
            if (e.Attributes.TryGetValue(name, out var value) && value.Length > 0)
            {
                parts.Add($"{name}={value}");
            }
        }

        return string.Join(' ', parts);
    }

    /// <summary>Prints a run: status, blueprint, tasks, gates with their violations, cost and its breakdown per module and agent.</summary>
    public static void Print(IAnsiConsole console, V1.Run run)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("run", Markup.Escape(run.RunId));
        grid.AddRow("trace id", Markup.Escape(run.TraceId));
        grid.AddRow("status", Markup.Escape(Name(run.Status)));
        if (run.Reason.Length > 0)
        {
            grid.AddRow("reason", Markup.Escape(run.Reason));
        }

        grid.AddRow("blueprint", Markup.Escape($"{run.BlueprintName}@{run.BlueprintVersion} (sha256 {run.BlueprintSha256})"));
        grid.AddRow("template pack", Markup.Escape(run.TemplatePack));
        grid.AddRow("tasks", $"{run.Tasks.Count(t => t.Status == "succeeded")}/{run.Tasks.Count} done");
        grid.AddRow("gates", $"{run.Gates.Count(g => g.Passed)}/{run.Gates.Count} passed");
        grid.AddRow("artifacts", run.ArtifactCount.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("events", run.EventCount.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("cost", string.Create(CultureInfo.InvariantCulture, $"${run.CostUsd:0.######}"));
        if (run.SubmittedAt is { } submitted)
        {
            grid.AddRow("submitted", submitted.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));
        }

        if (run.EndedAt is { } ended)
        {
            grid.AddRow("ended", ended.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture));
        }

        console.Write(grid);
        if (run.Tasks.Count > 0)
        {
            var tasks = new Table().Title("Tasks").AddColumn("task").AddColumn("status").AddColumn("reason");
            foreach (var task in run.Tasks)
            {
                tasks.AddRow(Markup.Escape(task.Id), Markup.Escape(task.Status), Markup.Escape(task.Reason));
            }

            console.Write(tasks);
        }

        if (run.Gates.Count > 0)
        {
            var gates = new Table().Title("Gates").AddColumn("module").AddColumn("rule").AddColumn("mode").AddColumn("result").AddColumn("violations");
            foreach (var gate in run.Gates)
            {
                var violations = string.Join("\n", gate.Violations.Select(v => v.Path.Length > 0 ? $"{v.Path}: {v.Message}" : v.Message));
                gates.AddRow(Markup.Escape(gate.Module), Markup.Escape(gate.Rule), Markup.Escape(gate.Mode), gate.Passed ? "passed" : "FAILED", Markup.Escape(violations));
            }

            console.Write(gates);
        }

        if (run.Costs.Count > 0)
        {
            var costs = new Table().Title("Cost").AddColumn("module").AddColumn("agent").AddColumn("skills", c => c.RightAligned())
                .AddColumn("compute", c => c.RightAligned()).AddColumn("tokens in/out", c => c.RightAligned()).AddColumn("cost", c => c.RightAligned());
            foreach (var line in run.Costs)
            {
                costs.AddRow(
                    Markup.Escape(line.Module),
                    line.Agent.Length == 0 ? "(module)" : Markup.Escape(line.Agent),
                    line.Skills.ToString(CultureInfo.InvariantCulture),
                    Usd(line.ComputeUsd),
                    line.TokensIn + line.TokensOut == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{line.TokensIn}/{line.TokensOut}"),
                    Usd(line.CostUsd));
            }

            console.Write(costs);
        }
    }

    private static string Usd(double value) => string.Create(CultureInfo.InvariantCulture, $"${value:0.##########}");
}
