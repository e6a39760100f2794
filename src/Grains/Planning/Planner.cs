using System.Collections.Immutable;
using Factory.Blueprints;
using Factory.Grains.Skills;

namespace Factory.Grains.Planning;

/// <summary>
/// Turns a blueprint into the run's plan: a DAG of (module x role) tasks. Modules follow their
/// <c>dependsOn</c> order (a module's architect waits for each dependency's validator; independent
/// modules run in parallel); within a module: architect, developer, then qa, security, infra,
/// observability and docs in parallel, then validator. Every release waits for every module's
/// validator: promotion happens only when every gate of the run has passed.
/// </summary>
public static class Planner
{
    /// <summary>The plan's tasks in a deterministic order: modules in topological (then document) order, roles in pipeline order.</summary>
    public static ImmutableArray<PlanTask> Plan(Blueprint blueprint)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        var tasks = ImmutableArray.CreateBuilder<PlanTask>(blueprint.Modules.Count * AgentRoles.All.Count);
        var modules = ModuleOrder(blueprint);
        foreach (var module in modules)
        {
            var m = module.Name;
            tasks.Add(Task(m, AgentRoles.Architect, [.. module.DependsOn.Select(d => TaskId(d, AgentRoles.Validator))]));
            tasks.Add(Task(m, AgentRoles.Developer, [TaskId(m, AgentRoles.Architect)]));
            foreach (var role in AgentRoles.AfterDeveloper)
            {
                tasks.Add(Task(m, role, [TaskId(m, AgentRoles.Developer)]));
            }

            tasks.Add(Task(m, AgentRoles.Validator, [.. AgentRoles.AfterDeveloper.Select(r => TaskId(m, r))]));
            tasks.Add(Task(m, AgentRoles.Release,
                [TaskId(m, AgentRoles.Validator), .. modules.Where(o => o.Name != m).Select(o => TaskId(o.Name, AgentRoles.Validator))]));
        }

        return tasks.MoveToImmutable();
    }

    /// <summary>The id of the task of <paramref name="role"/> on <paramref name="module"/>.</summary>
    public static string TaskId(string module, string role) => $"{module}/{role}";

    /// <summary>
    /// The roles of <paramref name="task"/>'s module whose tasks it depends on, directly or not: whose artifacts
    /// its agent gets upstream. <paramref name="plan"/> may hold other modules' tasks; they are ignored.
    /// </summary>
    public static HashSet<string> UpstreamRoles(IEnumerable<PlanTask> plan, PlanTask task)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(task);
        var byId = plan.Where(t => t.Module == task.Module).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(task.DependsOn);
        while (pending.TryPop(out var id))
        {
            if (byId.TryGetValue(id, out var dependency) && roles.Add(dependency.Role))
            {
                foreach (var next in dependency.DependsOn)
                {
                    pending.Push(next);
                }
            }
        }

        return roles;
    }

    /// <summary>
    /// The tasks whose dependencies have all succeeded and that have not been dispatched yet,
    /// in plan order.
    /// </summary>
    public static IEnumerable<PlanTask> Ready(IEnumerable<PlanTask> tasks, Func<string, PlanTaskStatus> statusOf) =>
        tasks.Where(t => statusOf(t.Id) == PlanTaskStatus.Pending
                      && t.DependsOn.All(d => statusOf(d) == PlanTaskStatus.Succeeded));

    /// <summary>Modules in dependency order, ties broken by document order. The blueprint is validated, so there is no cycle.</summary>
    public static IReadOnlyList<ModuleSpec> ModuleOrder(Blueprint blueprint)
    {
        var ordered = new List<ModuleSpec>(blueprint.Modules.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < blueprint.Modules.Count)
        {
            var next = blueprint.Modules.FirstOrDefault(m => !placed.Contains(m.Name) && m.DependsOn.All(placed.Contains))
                ?? throw new InvalidOperationException($"Blueprint '{blueprint.Metadata.Name}' has a dependency cycle among its modules.");
            ordered.Add(next);
            placed.Add(next.Name);
        }

        return ordered;
    }

    private static PlanTask Task(string module, string role, ImmutableArray<string> dependsOn) =>
        new(TaskId(module, role), module, role, dependsOn);
}
