using Factory.Blueprints;

namespace Factory.Grains.Gates;

/// <summary>
/// <c>breaking-change</c>: compares the module with the module of the same name in the last promoted blueprint.
/// Breaking: a removed operation; an operation whose method, path, scope, input or output changed; in an
/// entity or event the module exposes (its entities and its operations' inputs and outputs), a removed field,
/// a field whose type changed, a field that became required, or a removed enum value. Additions are not
/// breaking. Paths point into the new blueprint, or at the module when something was removed. A promoted
/// module missing from the new blueprint is reported once, on the new blueprint's first module, at <c>modules</c>.
/// </summary>
public sealed class BreakingChangeGate : IGate
{
    /// <inheritdoc />
    public string RuleId => GateRuleIds.BreakingChange;

    /// <inheritdoc />
    public ValueTask<GateFinding> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.PromotedBlueprint is not { } promoted)
        {
            return ValueTask.FromResult(new GateFinding("no promoted blueprint to compare with", []));
        }

        var against = $"{promoted.Metadata.Name}@{promoted.Metadata.Version}";
        var violations = new List<GateViolation>();
        if (context.Blueprint.Modules.Count > 0 && context.Blueprint.Modules[0].Name == context.Module.Name)
        {
            foreach (var removed in promoted.Modules.Where(p => context.Blueprint.Modules.All(m => m.Name != p.Name)))
            {
                violations.Add(new GateViolation(RuleId, "modules", $"module `{removed.Name}` was removed with its {removed.Operations.Count} operations"));
            }
        }

        var previous = promoted.Modules.FirstOrDefault(m => m.Name == context.Module.Name);
        if (previous is null)
        {
            return ValueTask.FromResult(new GateFinding(
                $"compared with {against}: the module is new" + (violations.Count == 0 ? "" : $"; {violations.Count} breaking changes"), violations));
        }

        var modulePath = GateSupport.ModulePath(context);
        CompareOperations(previous, context.Module, modulePath, violations);
        foreach (var name in Exposed(previous))
        {
            CompareShape(promoted, context.Blueprint, name, modulePath, violations);
        }

        var summary = $"compared with {against}: " + (violations.Count == 0 ? "no breaking changes" : $"{violations.Count} breaking changes");
        return ValueTask.FromResult(new GateFinding(summary, violations));
    }

    private void CompareOperations(ModuleSpec previous, ModuleSpec current, string modulePath, List<GateViolation> violations)
    {
        foreach (var before in previous.Operations)
        {
            var index = IndexOf(current.Operations, o => o.Name == before.Name);
            if (index < 0)
            {
                violations.Add(new GateViolation(RuleId, modulePath, $"operation `{before.Name}` was removed"));
                continue;
            }

            var after = current.Operations[index];
            var path = GateSupport.Indexed(modulePath + ".operations", index);
            Changed(violations, path + ".method", before.Name, "method", Verb(before.Method), Verb(after.Method));
            Changed(violations, path + ".path", before.Name, "path", before.Path, after.Path);
            Changed(violations, path + ".scope", before.Name, "scope", before.Scope, after.Scope);
            Changed(violations, path + ".input", before.Name, "input", before.Input, after.Input);
            Changed(violations, path + ".output", before.Name, "output", Output(before), Output(after));
        }
    }

    private void Changed(List<GateViolation> violations, string path, string operation, string what, string before, string after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            violations.Add(new GateViolation(RuleId, path, $"operation `{operation}` {what} changed from {Shown(before)} to {Shown(after)}"));
        }
    }

    /// <summary>Compares an entity or event the module exposed with its namesake in the new blueprint.</summary>
    private void CompareShape(Blueprint promoted, Blueprint current, string name, string modulePath, List<GateViolation> violations)
    {
        IReadOnlyList<FieldSpec>? before = promoted.Domain.Entities.FirstOrDefault(e => e.Name == name)?.Fields
            ?? promoted.Domain.Events.FirstOrDefault(e => e.Name == name)?.Fields;
        if (before is null)
        {
            return;
        }

        var entityIndex = IndexOf(current.Domain.Entities, e => e.Name == name);
        var eventIndex = IndexOf(current.Domain.Events, e => e.Name == name);
        var (shapePath, after) = entityIndex >= 0
            ? (GateSupport.Indexed("domain.entities", entityIndex), current.Domain.Entities[entityIndex].Fields)
            : eventIndex >= 0
                ? (GateSupport.Indexed("domain.events", eventIndex), current.Domain.Events[eventIndex].Fields)
                : ("", (IReadOnlyList<FieldSpec>?)null);
        if (after is null)
        {
            violations.Add(new GateViolation(RuleId, modulePath, $"`{name}`, which the module exposes, was removed"));
            return;
        }

        foreach (var field in before)
        {
            var index = IndexOf(after, f => f.Name == field.Name);
            if (index < 0)
            {
                violations.Add(new GateViolation(RuleId, shapePath, $"field `{name}.{field.Name}` was removed"));
                continue;
            }

            var now = after[index];
            var path = GateSupport.Indexed(shapePath + ".fields", index);
            if (now.Type != field.Type)
            {
                violations.Add(new GateViolation(RuleId, path + ".type", $"field `{name}.{field.Name}` changed type from {TypeName(field.Type)} to {TypeName(now.Type)}"));
            }

            if (now.Required && !field.Required)
            {
                violations.Add(new GateViolation(RuleId, path + ".required", $"field `{name}.{field.Name}` changed from optional to required"));
            }

            if (field.Type == FieldType.Enum && now.Type == FieldType.Enum)
            {
                foreach (var value in field.Values.Where(v => !now.Values.Contains(v, StringComparer.Ordinal)))
                {
                    violations.Add(new GateViolation(RuleId, path + ".values", $"value `{value}` of enum field `{name}.{field.Name}` was removed"));
                }
            }
        }
    }

    /// <summary>The entities and events the module exposed: its entities, then its operations' inputs and outputs.</summary>
    private static IEnumerable<string> Exposed(ModuleSpec module) =>
        module.Entities
            .Concat(module.Operations.SelectMany(o => new[] { o.Input, o.Output }))
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal);

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, bool> match)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (match(items[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Verb(HttpVerb verb) => verb.ToString().ToUpperInvariant();

    private static string Output(OperationSpec operation) => operation.Output + (operation.OutputIsList ? "[]" : "");

    private static string TypeName(FieldType type) => type.ToString().ToLowerInvariant();

    private static string Shown(string value) => value.Length == 0 ? "none" : $"`{value}`";
}
