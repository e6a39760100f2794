using System.Globalization;

namespace Factory.Blueprints;

/// <summary>
/// Semantic checks over a parsed <see cref="Blueprint"/>: identifiers, uniqueness, references, dependency
/// cycles, field rules, policies, secrets and limits. Every problem carries the path and position the parser
/// remembered. Also applies defaults (a <c>dev</c> environment when none is declared).
/// </summary>
internal sealed class BlueprintValidator
{
    /// <summary>Rule ids the gates know.</summary>
    public static readonly IReadOnlyList<string> KnownRuleIds =
    [
        "auth-scope-required", "no-secret-values", "pii-redacted", "operation-test-coverage", "compiles", "cost-budget", "breaking-change",
    ];

    private readonly Blueprint _blueprint;
    private readonly ProblemSink _sink;
    private readonly Dictionary<string, EntitySpec> _entities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventSpec> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _modules = new(StringComparer.Ordinal);

    private BlueprintValidator(Blueprint blueprint, ProblemSink sink)
    {
        _blueprint = blueprint;
        _sink = sink;
    }

    /// <summary>Validates <paramref name="blueprint"/> into <paramref name="sink"/> and returns it with defaults applied.</summary>
    public static Blueprint Validate(Blueprint blueprint, ProblemSink sink)
    {
        new BlueprintValidator(blueprint, sink).Run();
        return blueprint.Environments.Count == 0
            ? blueprint with { Environments = [new EnvironmentSpec { Name = "dev", Replicas = 1 }] }
            : blueprint;
    }

    private void Run()
    {
        CheckHeader();
        CheckDomain();
        CheckModules();
        CheckDependencyCycles();
        CheckPolicies();
        CheckSecrets();
        CheckEnvironments();
    }

    private void CheckHeader()
    {
        // Empty values are missing ones, which the parser has reported already.
        if (_blueprint.ApiVersion.Length > 0 && _blueprint.ApiVersion != Blueprint.CurrentApiVersion)
        {
            Add(BlueprintProblemCodes.UnsupportedApiVersion, "apiVersion", $"unsupported apiVersion `{Q(_blueprint.ApiVersion)}`; expected `{Blueprint.CurrentApiVersion}`");
        }

        var metadata = _blueprint.Metadata;
        if (metadata.Name.Length > 0 && !Identifiers.IsKebabCase(metadata.Name) || metadata.Name.Length > BlueprintLimits.MaxBlueprintNameLength)
        {
            Add(BlueprintProblemCodes.InvalidBlueprintName, "metadata.name", $"blueprint name `{Q(metadata.Name)}` must be lower-kebab-case (e.g. `clinic-appointments`) of at most {BlueprintLimits.MaxBlueprintNameLength} characters");
        }

        if (metadata.Version.Length > 0 && (metadata.Version.Length > BlueprintLimits.MaxShortTextLength || !Identifiers.IsSemVer(metadata.Version)))
        {
            Add(BlueprintProblemCodes.InvalidVersion, "metadata.version", $"version `{Q(metadata.Version)}` is not a SemVer 2.0 version (e.g. `1.2.0`, `2.0.0-rc.1`)");
        }

        CheckText(metadata.Description, "metadata.description");
        CheckText(metadata.Owner, "metadata.owner");
    }

    private void CheckDomain()
    {
        var entities = _blueprint.Domain.Entities;
        var events = _blueprint.Domain.Events;
        CheckCount(entities.Count, BlueprintLimits.MaxEntities, "domain.entities", "entities", nameof(BlueprintLimits.MaxEntities));
        CheckCount(events.Count, BlueprintLimits.MaxEvents, "domain.events", "events", nameof(BlueprintLimits.MaxEvents));

        for (var i = 0; i < entities.Count; i++)
        {
            var entity = entities[i];
            var path = $"domain.entities[{i}]";
            if (CheckTypeName(entity.Name, path + ".name", "entity") && !_entities.TryAdd(entity.Name, entity))
            {
                Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"entity `{entity.Name}` is declared twice");
            }

            CheckText(entity.Description, path + ".description");
            if (entity.Fields.Count == 0)
            {
                Add(BlueprintProblemCodes.EntityWithoutFields, path + ".fields", $"entity `{Q(entity.Name)}` declares no field; declare at least one");
            }

            CheckFields(entity.Fields, path + ".fields", entity.Name, "entity");
        }

        for (var i = 0; i < events.Count; i++)
        {
            var evt = events[i];
            var path = $"domain.events[{i}]";
            if (CheckTypeName(evt.Name, path + ".name", "event"))
            {
                if (_entities.ContainsKey(evt.Name))
                {
                    Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"event `{evt.Name}` has the name of an entity; entity and event names share one namespace");
                }
                else if (!_events.TryAdd(evt.Name, evt))
                {
                    Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"event `{evt.Name}` is declared twice");
                }
            }

            CheckText(evt.Description, path + ".description");
            if (evt.Entity.Length > 0 && !_entities.ContainsKey(evt.Entity))
            {
                Add(BlueprintProblemCodes.UnknownReference, path + ".entity", $"event `{Q(evt.Name)}` refers to the unknown entity `{Q(evt.Entity)}`{Known(_entities.Keys, evt.Entity, "entities")}");
            }

            CheckFields(evt.Fields, path + ".fields", evt.Name, "event");
        }
    }

    private void CheckFields(IReadOnlyList<FieldSpec> fields, string path, string ownerName, string ownerKind)
    {
        CheckCount(fields.Count, BlueprintLimits.MaxFieldsPerEntity, path, "fields", nameof(BlueprintLimits.MaxFieldsPerEntity));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pascalNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var fieldPath = $"{path}[{i}]";
            var namePath = fieldPath + ".name";
            if (field.Name.Length > 0)
            {
                if (!Identifiers.IsCamelCase(field.Name))
                {
                    Add(BlueprintProblemCodes.InvalidFieldName, namePath, $"field name `{Q(field.Name)}` must be camelCase (^[a-z][A-Za-z0-9]{{0,63}}$), e.g. `startsAt`");
                }
                else if (CSharpKeywords.Contains(field.Name))
                {
                    Add(BlueprintProblemCodes.ReservedKeyword, namePath, $"field name `{field.Name}` is a C# keyword; choose another name (e.g. `{field.Name}Name`)");
                }
                else if (!names.Add(field.Name))
                {
                    Add(BlueprintProblemCodes.DuplicateName, namePath, $"field `{field.Name}` is declared twice in {ownerKind} `{Q(ownerName)}`");
                }
                else
                {
                    var pascal = Identifiers.ToPascalCase(field.Name);
                    if (string.Equals(pascal, ownerName, StringComparison.OrdinalIgnoreCase))
                    {
                        Add(BlueprintProblemCodes.FieldNameCollision, namePath, $"field `{field.Name}` becomes the property `{pascal}`, which collides with the {ownerKind} name `{Q(ownerName)}`");
                    }
                    else if (!pascalNames.TryAdd(pascal, field.Name))
                    {
                        Add(BlueprintProblemCodes.FieldNameCollision, namePath, $"field `{field.Name}` collides with field `{pascalNames[pascal]}` once PascalCased (`{pascal}`)");
                    }
                }
            }

            if (field.MaxLength is { } maxLength)
            {
                if (field.Type != FieldType.String)
                {
                    Add(BlueprintProblemCodes.MaxLengthNotAllowed, fieldPath + ".maxLength", $"`maxLength` applies to string fields only; field `{Q(field.Name)}` is {Lower(field.Type)}");
                }
                else if (maxLength is < BlueprintLimits.MinFieldMaxLength or > BlueprintLimits.MaxFieldMaxLength)
                {
                    Add(BlueprintProblemCodes.MaxLengthOutOfRange, fieldPath + ".maxLength", $"`maxLength` must be between {BlueprintLimits.MinFieldMaxLength} and {BlueprintLimits.MaxFieldMaxLength.ToString(CultureInfo.InvariantCulture)}, found {maxLength}");
                }
            }

            if (field.Type == FieldType.Enum)
            {
                CheckEnumValues(field, fieldPath + ".values");
            }
            else if (field.Values.Count > 0)
            {
                Add(BlueprintProblemCodes.ValuesNotAllowed, fieldPath + ".values", $"`values` applies to enum fields only; field `{Q(field.Name)}` is {Lower(field.Type)}");
            }

            CheckText(field.Description, fieldPath + ".description");
            CheckText(field.Example, fieldPath + ".example", BlueprintLimits.MaxShortTextLength, nameof(BlueprintLimits.MaxShortTextLength));
        }
    }

    private void CheckEnumValues(FieldSpec field, string path)
    {
        if (field.Values.Count == 0)
        {
            Add(BlueprintProblemCodes.EnumValuesMissing, path, $"enum field `{Q(field.Name)}` needs `values`: a non-empty list of PascalCase names");
            return;
        }

        CheckCount(field.Values.Count, BlueprintLimits.MaxEnumValues, path, "enum values", nameof(BlueprintLimits.MaxEnumValues));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var j = 0; j < field.Values.Count; j++)
        {
            var value = field.Values[j];
            if (!Identifiers.IsPascalCase(value))
            {
                Add(BlueprintProblemCodes.InvalidEnumMember, $"{path}[{j}]", $"enum value `{Q(value)}` must be PascalCase (^[A-Z][A-Za-z0-9]{{0,63}}$), e.g. `Booked`");
            }
            else if (!seen.Add(value))
            {
                Add(BlueprintProblemCodes.DuplicateEnumValue, $"{path}[{j}]", $"enum value `{value}` is listed twice in field `{Q(field.Name)}`");
            }
        }
    }

    private void CheckModules()
    {
        var modules = _blueprint.Modules;
        if (modules.Count == 0)
        {
            Add(BlueprintProblemCodes.NoModules, "modules", "a blueprint needs at least one module");
        }

        CheckCount(modules.Count, BlueprintLimits.MaxModules, "modules", "modules", nameof(BlueprintLimits.MaxModules));
        for (var i = 0; i < modules.Count; i++)
        {
            var name = modules[i].Name;
            var path = $"modules[{i}].name";
            if (name.Length == 0)
            {
                continue;
            }

            if (!Identifiers.IsKebabCase(name) || name.Length > BlueprintLimits.MaxModuleNameLength)
            {
                Add(BlueprintProblemCodes.InvalidModuleName, path, $"module name `{Q(name)}` must be lower-kebab-case (e.g. `appointments`) of at most {BlueprintLimits.MaxModuleNameLength} characters");
            }
            else if (!_modules.TryAdd(name, i))
            {
                Add(BlueprintProblemCodes.DuplicateName, path, $"module `{name}` is declared twice");
            }
        }

        var operationOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < modules.Count; i++)
        {
            CheckModule(modules[i], $"modules[{i}]", operationOwners);
        }
    }

    private void CheckModule(ModuleSpec module, string path, Dictionary<string, string> operationOwners)
    {
        CheckText(module.Description, path + ".description");
        CheckReferences(module.Entities, path + ".entities", n => _entities.ContainsKey(n), _entities.Keys, "entity", "entities");
        CheckReferences(module.Publishes, path + ".publishes", n => _events.ContainsKey(n), _events.Keys, "event", "events");
        CheckReferences(module.Consumes, path + ".consumes", n => _events.ContainsKey(n), _events.Keys, "event", "events");
        CheckCount(module.DependsOn.Count, BlueprintLimits.MaxReferencesPerList, path + ".dependsOn", "dependencies", nameof(BlueprintLimits.MaxReferencesPerList));
        var dependencies = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < module.DependsOn.Count; j++)
        {
            var dependency = module.DependsOn[j];
            var depPath = $"{path}.dependsOn[{j}]";
            if (dependency == module.Name)
            {
                Add(BlueprintProblemCodes.SelfDependency, depPath, $"module `{Q(module.Name)}` depends on itself");
            }
            else if (!_modules.ContainsKey(dependency))
            {
                Add(BlueprintProblemCodes.UnknownReference, depPath, $"`dependsOn` names the unknown module `{Q(dependency)}`{Known(_modules.Keys, dependency, "modules")}");
            }
            else if (!dependencies.Add(dependency))
            {
                Add(BlueprintProblemCodes.DuplicateName, depPath, $"module `{dependency}` is listed twice in `dependsOn`");
            }
        }

        if (module.Operations.Count == 0 && module.Kind != ModuleKind.Worker)
        {
            Add(BlueprintProblemCodes.ModuleWithoutOperations, path + ".operations", $"service module `{Q(module.Name)}` declares no operation; declare at least one, or make it `kind: worker`");
        }

        CheckCount(module.Operations.Count, BlueprintLimits.MaxOperationsPerModule, path + ".operations", "operations", nameof(BlueprintLimits.MaxOperationsPerModule));
        var routes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < module.Operations.Count; k++)
        {
            CheckOperation(module, module.Operations[k], $"{path}.operations[{k}]", operationOwners, routes);
        }
    }

    private void CheckOperation(ModuleSpec module, OperationSpec operation, string path, Dictionary<string, string> operationOwners, Dictionary<string, string> routes)
    {
        if (CheckTypeName(operation.Name, path + ".name", "operation") && !operationOwners.TryAdd(operation.Name, module.Name))
        {
            var owner = operationOwners[operation.Name];
            var where = owner == module.Name ? "in this module" : $"in module `{Q(owner)}`";
            Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"operation `{operation.Name}` is already declared {where}; operation names are unique across the blueprint");
        }

        if (operation.Scope.Length > 0 && (operation.Scope.Length > BlueprintLimits.MaxShortTextLength || !Identifiers.IsScope(operation.Scope)))
        {
            Add(BlueprintProblemCodes.InvalidScope, path + ".scope", $"scope `{Q(operation.Scope)}` must be lower-case words joined by `.` or `:` (e.g. `appointments.write`)");
        }

        var parameters = CheckPath(operation.Path, path + ".path");
        if (parameters is not null)
        {
            var route = Lower(operation.Method) + " " + string.Join('/', operation.Path.Split('/').Select(s => s.StartsWith('{') ? "{}" : s));
            if (!routes.TryAdd(route, operation.Name))
            {
                Add(BlueprintProblemCodes.DuplicateRoute, path + ".path", $"{operation.Method.ToString().ToUpperInvariant()} {operation.Path} is already served by operation `{Q(routes[route])}` in this module");
            }
        }

        IReadOnlyList<FieldSpec>? inputFields = null;
        if (operation.Input.Length > 0)
        {
            if (_entities.TryGetValue(operation.Input, out var entity))
            {
                inputFields = entity.Fields;
            }
            else if (_events.TryGetValue(operation.Input, out var evt))
            {
                inputFields = evt.Fields;
            }
            else
            {
                Add(BlueprintProblemCodes.UnknownReference, path + ".input", $"input `{Q(operation.Input)}` is neither an entity nor an event{Known(_entities.Keys.Concat(_events.Keys), operation.Input, "entities and events")}");
            }
        }

        IReadOnlyList<FieldSpec>? outputFields = null;
        if (operation.Output.Length > 0)
        {
            if (_entities.TryGetValue(operation.Output, out var entity))
            {
                outputFields = entity.Fields;
            }
            else if (_events.ContainsKey(operation.Output))
            {
                Add(BlueprintProblemCodes.UnknownReference, path + ".output", $"output `{operation.Output}` is an event; an operation's output must be an entity");
            }
            else
            {
                Add(BlueprintProblemCodes.UnknownReference, path + ".output", $"output `{Q(operation.Output)}` is not an entity{Known(_entities.Keys, operation.Output, "entities")}");
            }
        }

        if (parameters is not null && (inputFields is not null || outputFields is not null))
        {
            var fieldNames = (inputFields ?? []).Concat(outputFields ?? []).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var parameter in parameters.Where(p => !fieldNames.Contains(p)))
            {
                var of = string.Join(" or ", new[] { inputFields is null ? null : operation.Input, outputFields is null ? null : operation.Output }.OfType<string>().Distinct());
                Add(BlueprintProblemCodes.UnknownPathParameter, path + ".path", $"path parameter `{{{parameter}}}` is not a field of `{of}`");
                break;
            }
        }

        CheckText(operation.Description, path + ".description");
        CheckText(operation.Behavior, path + ".behavior", BlueprintLimits.MaxBehaviorLength, nameof(BlueprintLimits.MaxBehaviorLength));
    }

    /// <summary>Checks an operation path; returns its parameter names, or null when the path is invalid (reported).</summary>
    private List<string>? CheckPath(string value, string path)
    {
        if (value.Length == 0)
        {
            return null;
        }

        string? reason = null;
        var parameters = new List<string>();
        if (value.Length > BlueprintLimits.MaxPathLength)
        {
            reason = $"is longer than {BlueprintLimits.MaxPathLength} characters (BlueprintLimits.MaxPathLength)";
        }
        else if (!value.StartsWith('/'))
        {
            reason = "must start with `/`";
        }
        else
        {
            foreach (var segment in value[1..].Split('/'))
            {
                if (segment.Length == 0)
                {
                    reason = "has an empty segment (`//` or a trailing `/`)";
                }
                else if (segment is ".." or ".")
                {
                    reason = $"has a `{segment}` segment; relative segments are not allowed";
                }
                else if (segment.StartsWith('{') && segment.EndsWith('}'))
                {
                    var parameter = segment[1..^1];
                    if (!Identifiers.IsCamelCase(parameter))
                    {
                        reason = $"has the parameter `{Q(segment)}`, which must be a camelCase name in braces, e.g. `{{id}}`";
                    }
                    else if (parameters.Contains(parameter))
                    {
                        reason = $"names the parameter `{{{parameter}}}` twice";
                    }
                    else
                    {
                        parameters.Add(parameter);
                    }
                }
                else if (!Identifiers.IsPathSegment(segment))
                {
                    reason = $"has the segment `{Q(segment)}`; segments are lower-case letters, digits and `-` (or a `{{param}}`)";
                }

                if (reason is not null)
                {
                    break;
                }
            }
        }

        if (reason is null)
        {
            return parameters;
        }

        Add(BlueprintProblemCodes.InvalidPath, path, $"path `{Q(value)}` {reason}");
        return null;
    }

    private void CheckReferences(IReadOnlyList<string> names, string path, Func<string, bool> exists, IEnumerable<string> known, string kind, string kindPlural)
    {
        CheckCount(names.Count, BlueprintLimits.MaxReferencesPerList, path, kindPlural, nameof(BlueprintLimits.MaxReferencesPerList));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < names.Count; j++)
        {
            var name = names[j];
            if (!exists(name))
            {
                Add(BlueprintProblemCodes.UnknownReference, $"{path}[{j}]", $"unknown {kind} `{Q(name)}`{Known(known, name, kindPlural)}");
            }
            else if (!seen.Add(name))
            {
                Add(BlueprintProblemCodes.DuplicateName, $"{path}[{j}]", $"{kind} `{name}` is listed twice");
            }
        }
    }

    private void CheckDependencyCycles()
    {
        var modules = _blueprint.Modules;
        var state = new int[modules.Count]; // 0 = unvisited, 1 = on the stack, 2 = done
        var stack = new List<int>();
        var reported = new HashSet<string>(StringComparer.Ordinal);

        void Visit(int index)
        {
            state[index] = 1;
            stack.Add(index);
            foreach (var dependency in modules[index].DependsOn)
            {
                if (!_modules.TryGetValue(dependency, out var next) || next == index)
                {
                    continue;
                }

                if (state[next] == 1)
                {
                    ReportCycle(stack.GetRange(stack.IndexOf(next), stack.Count - stack.IndexOf(next)), reported);
                }
                else if (state[next] == 0)
                {
                    Visit(next);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[index] = 2;
        }

        for (var i = 0; i < modules.Count; i++)
        {
            if (state[i] == 0 && _modules.TryGetValue(modules[i].Name, out var owner) && owner == i)
            {
                Visit(i);
            }
        }
    }

    /// <summary>Reports a cycle once, starting at its module that comes first in the document, at that module's edge into the cycle.</summary>
    private void ReportCycle(List<int> cycle, HashSet<string> reported)
    {
        var start = cycle.IndexOf(cycle.Min());
        var ordered = cycle.Skip(start).Concat(cycle.Take(start)).ToList();
        var names = ordered.Select(i => _blueprint.Modules[i].Name).ToList();
        var key = string.Join(" -> ", names);
        if (!reported.Add(key))
        {
            return;
        }

        var first = _blueprint.Modules[ordered[0]];
        var edge = -1;
        for (var j = 0; j < first.DependsOn.Count && edge < 0; j++)
        {
            if (first.DependsOn[j] == names[ordered.Count > 1 ? 1 : 0])
            {
                edge = j;
            }
        }

        Add(BlueprintProblemCodes.DependencyCycle, $"modules[{ordered[0]}].dependsOn[{Math.Max(edge, 0)}]", $"module dependencies form a cycle: {key} -> {names[0]}");
    }

    private void CheckPolicies()
    {
        var policies = _blueprint.Policies;
        CheckCount(policies.Rules.Count, BlueprintLimits.MaxPolicyRules, "policies.rules", "policy rules", nameof(BlueprintLimits.MaxPolicyRules));
        foreach (var id in policies.Rules.Keys)
        {
            if (KnownRuleIds.Contains(id))
            {
                continue;
            }

            var path = "policies.rules." + YamlTree.SafeKey(id);
            var (line, column) = _sink.Locate(path + BlueprintParser.KeySuffix);
            var suggestion = Identifiers.Suggest(id, KnownRuleIds);
            var hint = suggestion is null ? "known rules: " + string.Join(", ", KnownRuleIds) : $"did you mean `{suggestion}`?";
            _sink.Add(BlueprintProblemCodes.UnknownPolicyRule, path, line, column, $"unknown policy rule `{Q(id)}`; {hint}");
        }

        if (policies.MinTestCoverage is < 0m or > 1m)
        {
            Add(BlueprintProblemCodes.CoverageOutOfRange, "policies.minTestCoverage", $"`minTestCoverage` must be between 0 and 1 (a share of operations), found {BlueprintCanonicalForm.FormatDecimal(policies.MinTestCoverage)}");
        }

        if (policies.CostBudgetUsd is <= 0m)
        {
            Add(BlueprintProblemCodes.CostBudgetNotPositive, "policies.costBudgetUsd", $"`costBudgetUsd` must be greater than 0, found {BlueprintCanonicalForm.FormatDecimal(policies.CostBudgetUsd.Value)}");
        }
    }

    private void CheckSecrets()
    {
        var secrets = _blueprint.Secrets;
        CheckCount(secrets.Count, BlueprintLimits.MaxSecrets, "secrets", "secrets", nameof(BlueprintLimits.MaxSecrets));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < secrets.Count; i++)
        {
            var secret = secrets[i];
            var path = $"secrets[{i}]";
            if (secret.Name.Length > 0)
            {
                if (!Identifiers.IsCamelCase(secret.Name))
                {
                    Add(BlueprintProblemCodes.InvalidSecretName, path + ".name", $"secret name `{Q(secret.Name)}` must be camelCase (e.g. `paymentsApiKey`)");
                }
                else if (!names.Add(secret.Name))
                {
                    Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"secret `{secret.Name}` is declared twice");
                }
            }

            if (secret.Ref.Length > 0 && (secret.Ref.Length > BlueprintLimits.MaxShortTextLength || !Identifiers.IsSecretRef(secret.Ref)))
            {
                Add(BlueprintProblemCodes.InvalidSecretRef, path + ".ref", $"secret reference `{Q(secret.Ref)}` must look like `vault://path/to/secret` or `env://VARIABLE`");
            }
        }
    }

    private void CheckEnvironments()
    {
        var environments = _blueprint.Environments;
        CheckCount(environments.Count, BlueprintLimits.MaxEnvironments, "environments", "environments", nameof(BlueprintLimits.MaxEnvironments));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < environments.Count; i++)
        {
            var environment = environments[i];
            var path = $"environments[{i}]";
            if (environment.Name.Length > 0)
            {
                if (!Identifiers.IsKebabCase(environment.Name) || environment.Name.Length > BlueprintLimits.MaxBlueprintNameLength)
                {
                    Add(BlueprintProblemCodes.InvalidEnvironmentName, path + ".name", $"environment name `{Q(environment.Name)}` must be lower-kebab-case (e.g. `dev`, `prod-eu`)");
                }
                else if (!names.Add(environment.Name))
                {
                    Add(BlueprintProblemCodes.DuplicateName, path + ".name", $"environment `{environment.Name}` is declared twice");
                }
            }

            if (environment.Replicas is < BlueprintLimits.MinReplicas or > BlueprintLimits.MaxReplicas)
            {
                Add(BlueprintProblemCodes.ReplicasOutOfRange, path + ".replicas", $"`replicas` must be between {BlueprintLimits.MinReplicas} and {BlueprintLimits.MaxReplicas}, found {environment.Replicas}");
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /// <summary>Checks a PascalCase type name; returns true when it is valid (so uniqueness can be checked).</summary>
    private bool CheckTypeName(string name, string path, string kind)
    {
        if (name.Length == 0)
        {
            return false;
        }

        if (Identifiers.IsPascalCase(name))
        {
            return true;
        }

        Add(BlueprintProblemCodes.InvalidTypeName, path, $"{kind} name `{Q(name)}` must be PascalCase (^[A-Z][A-Za-z0-9]{{0,63}}$), e.g. `BookAppointment`");
        return false;
    }

    private void CheckText(string value, string path, int limit = BlueprintLimits.MaxDescriptionLength, string limitName = nameof(BlueprintLimits.MaxDescriptionLength))
    {
        if (value.Length > limit)
        {
            Add(BlueprintProblemCodes.LimitExceeded, path, $"text is {value.Length} characters; the limit is {limit} (BlueprintLimits.{limitName})");
        }
    }

    private void CheckCount(int count, int limit, string path, string what, string limitName)
    {
        if (count > limit)
        {
            Add(BlueprintProblemCodes.LimitExceeded, path, $"{count} {what}; the limit is {limit} (BlueprintLimits.{limitName})");
        }
    }

    private void Add(string code, string path, string message) => _sink.Add(code, path, message);

    private static string Known(IEnumerable<string> known, string value, string what)
    {
        var list = known.ToList();
        if (list.Count == 0)
        {
            return $"; no {what} are declared";
        }

        var suggestion = Identifiers.Suggest(value, list);
        return suggestion is null ? $"; declared {what}: {string.Join(", ", list.Take(20).Select(Q))}" : $"; did you mean `{suggestion}`?";
    }

    private static string Q(string value) => ProblemSink.Quote(value);

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
