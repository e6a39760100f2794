using Spectre.Console;
using Spectre.Console.Rendering;

namespace Factory.Cli;

/// <summary>
/// The live picture of a run: one row per module, one column per agent role, each cell the
/// task's status, updated from the run's trace events.
/// </summary>
internal sealed class RunProgressView(IReadOnlyList<PlanTaskState> plan)
{
    private readonly Dictionary<string, PlanTaskStatus> _status = plan.ToDictionary(t => t.Task.Id, t => t.Status, StringComparer.Ordinal);
    private readonly List<string> _modules = [.. plan.Select(t => t.Task.Module).Distinct()];
    private readonly List<string> _roles = [.. plan.Select(t => t.Task.Role).Distinct()];
    private int _artifacts;
    private long _events;

    /// <summary>Tasks that have ended successfully.</summary>
    public int Done => _status.Values.Count(s => s == PlanTaskStatus.Succeeded);

    /// <summary>Folds one event into the picture; returns a one-line description for plain (non-interactive) output, or null.</summary>
    public string? Apply(TraceEvent e)
    {
        _events = e.Sequence + 1;
        var id = $"{e.Module}/{e.Agent}";
        switch (e.Type)
        {
            case TraceEventTypes.AgentStarted:
                _status[id] = PlanTaskStatus.Running;
                return $"{id} started";
            case TraceEventTypes.AgentCompleted:
                _status[id] = PlanTaskStatus.Succeeded;
                return $"{id} done ({e.Attributes.GetValueOrDefault(TraceAttributes.Artifacts, "0")} artifacts) [{Done}/{_status.Count}]";
            case TraceEventTypes.AgentFailed:
                _status[id] = PlanTaskStatus.Failed;
                return $"{id} FAILED: {e.Attributes.GetValueOrDefault(TraceAttributes.Reason, "")}";
            case TraceEventTypes.ArtifactEmitted:
                _artifacts++;
                return null;
            case TraceEventTypes.ModuleStarted or TraceEventTypes.ModuleCompleted or TraceEventTypes.ModuleFailed or TraceEventTypes.ModuleBlocked:
                return $"{e.Module}: {e.Type}";
            case TraceEventTypes.GateFailed or TraceEventTypes.GateWarned:
                return $"{e.Module}: {e.Type} {e.Attributes.GetValueOrDefault(TraceAttributes.Rule, "")}: {e.Attributes.GetValueOrDefault(TraceAttributes.Summary, "")}";
            default:
                return e.IsTerminal ? $"{e.Type} {e.Attributes.GetValueOrDefault(TraceAttributes.Reason, "")}".TrimEnd() : null;
        }
    }

    /// <summary>The grid and a status line.</summary>
    public IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("module");
        foreach (var role in _roles)
        {
            table.AddColumn(new TableColumn(role).Centered());
        }

        foreach (var module in _modules)
        {
            var cells = new List<IRenderable> { new Markup($"[bold]{Markup.Escape(module)}[/]") };
            cells.AddRange(_roles.Select(role => Cell(_status.GetValueOrDefault($"{module}/{role}", PlanTaskStatus.Skipped))));
            table.AddRow(cells);
        }

        table.Caption($"{Done}/{_status.Count} tasks done, {_artifacts} artifacts, {_events} events");
        return table;
    }

    private static Markup Cell(PlanTaskStatus status) => status switch
    {
        PlanTaskStatus.Running => new Markup("[yellow]running[/]"),
        PlanTaskStatus.Succeeded => new Markup("[green]done[/]"),
        PlanTaskStatus.Failed => new Markup("[red]FAILED[/]"),
        PlanTaskStatus.Skipped => new Markup("[grey]skipped[/]"),
        _ => new Markup("[grey]·[/]"),
    };
}
