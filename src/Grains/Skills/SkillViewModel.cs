using System.Globalization;
using System.Text.RegularExpressions;
using Factory.Blueprints;
using Scriban.Runtime;

namespace Factory.Grains.Skills;

/// <summary>
/// Builds the object templates see (documented in <c>blueprints/templates/README.md</c>): snake_case keys, plain
/// strings, numbers, booleans, lists and nested objects. Built once per skill execution and shared by its outputs.
/// Every identifier that can reach code or a path is re-checked here against a strict pattern, whatever the
/// blueprint validator did; free text is passed through untouched and must be escaped by the template.
/// </summary>
internal static partial class SkillViewModel
{
    /// <summary>Builds the model for one skill execution.</summary>
    /// <exception cref="SkillExecutionException">An identifier of the blueprint is not safe to generate from.</exception>
    public static ScriptObject Build(SkillDescriptor skill, SkillInput input, string packName, string packVersion)
    {
        var checker = new IdentifierChecker(skill.Id);
        var blueprint = input.Blueprint;
        var module = input.Module;
        checker.Kebab(blueprint.Metadata.Name, "blueprint name");
        checker.Kebab(module.Name, "module name");

        var blueprintPascal = TemplateFunctions.Pascal(blueprint.Metadata.Name);
        var modulePascal = TemplateFunctions.Pascal(module.Name);
        var ns = $"{blueprintPascal}.{modulePascal}";

        var domainEntities = blueprint.Domain.Entities.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var domainEvents = blueprint.Domain.Events.ToDictionary(e => e.Name, StringComparer.Ordinal);

        var entityModels = new Dictionary<string, ScriptObject>(StringComparer.Ordinal);
        var entitySpecs = new Dictionary<string, EntitySpec>(StringComparer.Ordinal);
        var entities = new ScriptArray();
        foreach (var name in module.Entities)
        {
            if (!domainEntities.TryGetValue(name, out var spec))
            {
                throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}': module '{module.Name}' owns unknown entity '{name}'.");
            }

            var model = EntityModel(spec, checker);
            entityModels[name] = model;
            entitySpecs[name] = spec;
            entities.Add(model);
        }

        var upstreamPaths = new HashSet<string>(input.Upstream.Select(u => u.Path), StringComparer.Ordinal);
        var operations = new ScriptArray();
        var paths = new ScriptArray();
        var pathIndex = new Dictionary<string, ScriptArray>(StringComparer.Ordinal);
        foreach (var operation in module.Operations)
        {
            var model = OperationModel(operation, checker, entityModels, entitySpecs, domainEvents, upstreamPaths);
            model["handler"] = input.HandlerBodies.TryGetValue(operation.Name, out var handler) ? handler : null;
            model["handler_params"] = new ScriptArray(module.Entities.Select(e =>
                (object)$"I{TemplateFunctions.Pascal(e)}Repository {TemplateFunctions.Camel(e)}Repository"));
            operations.Add(model);
            if (!pathIndex.TryGetValue(operation.Path, out var group))
            {
                group = [];
                pathIndex.Add(operation.Path, group);
                paths.Add(Obj(("path", operation.Path), ("operations", group)));
            }

            group.Add(model);
        }

        var scopes = new ScriptArray(module.Operations.Select(o => o.Scope).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

        var upstream = input.Upstream
            .OrderBy(u => u.Path, StringComparer.Ordinal)
            .Select(u => (object)Obj(("path", u.Path), ("kind", u.Kind), ("sha256", u.Sha256), ("size", u.Size), ("skill", u.Skill), ("role", u.Role)));
        var upstreamKinds = input.Upstream
            .GroupBy(u => u.Kind, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (object)Obj(("kind", g.Key), ("count", g.Count())));

        var rules = blueprint.Policies.Rules
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => (object)Obj(("id", r.Key), ("mode", r.Value.ToString().ToLowerInvariant())));

        var root = new ScriptObject
        {
            ["pack"] = Obj(("name", packName), ("version", packVersion)),
            ["skill"] = Obj(("id", skill.Id), ("version", skill.Version), ("role", skill.Role)),
            ["blueprint"] = Obj(
                ("name", blueprint.Metadata.Name),
                ("pascal_name", blueprintPascal),
                ("version", blueprint.Metadata.Version),
                ("description", blueprint.Metadata.Description),
                ("owner", blueprint.Metadata.Owner)),
            ["blueprint_hash"] = input.BlueprintHash,
            ["module"] = Obj(
                ("name", module.Name),
                ("pascal_name", modulePascal),
                ("camel_name", TemplateFunctions.Camel(module.Name)),
                ("kind", module.Kind.ToString().ToLowerInvariant()),
                ("description", module.Description),
                ("depends_on", new ScriptArray(module.DependsOn.Select(d => checker.Kebab(d, "dependsOn")))),
                ("entity_names", new ScriptArray(module.Entities))),
            ["service"] = Obj(
                ("namespace", ns),
                ("api_project", ns + ".Api"),
                ("project", ns + ".Api"),
                ("test_project", ns + ".Api.Tests"),
                ("solution", modulePascal),
                ("image", $"{blueprint.Metadata.Name}-{module.Name}"),
                ("job", $"{blueprint.Metadata.Name}-{module.Name}"),
                ("port", 8080)),
            ["entities"] = entities,
            ["operations"] = operations,
            ["paths"] = paths,
            ["scopes"] = scopes,
            ["publishes"] = new ScriptArray(module.Publishes.Select(e => EventModel(Lookup(domainEvents, e, "event", skill.Id), checker))),
            ["consumes"] = new ScriptArray(module.Consumes.Select(e => EventModel(Lookup(domainEvents, e, "event", skill.Id), checker))),
            ["secrets"] = new ScriptArray(blueprint.Secrets.Select(s => Obj(("name", checker.Identifier(s.Name, "secret name")), ("pascal_name", TemplateFunctions.Pascal(s.Name)), ("upper_snake_name", TemplateFunctions.UpperSnake(s.Name)), ("ref", s.Ref)))),
            ["environments"] = new ScriptArray(blueprint.Environments.Select(e => Obj(("name", checker.Kebab(e.Name, "environment name")), ("replicas", e.Replicas)))),
            ["policies"] = Obj(
                ("min_test_coverage", blueprint.Policies.MinTestCoverage.ToString(CultureInfo.InvariantCulture)),
                ("cost_budget_usd", blueprint.Policies.CostBudgetUsd?.ToString(CultureInfo.InvariantCulture)),
                ("rules", new ScriptArray(rules))),
            ["upstream"] = new ScriptArray(upstream),
            ["upstream_kinds"] = new ScriptArray(upstreamKinds),
            ["upstream_count"] = input.Upstream.Count,
        };
        return root;
    }

    private static T Lookup<T>(Dictionary<string, T> map, string name, string what, string skillId) =>
        map.TryGetValue(name, out var value)
            ? value
            : throw new SkillExecutionException(skillId, $"Skill '{skillId}': unknown {what} '{name}'.");

    private static ScriptObject EntityModel(EntitySpec entity, IdentifierChecker checker)
    {
        checker.Identifier(entity.Name, "entity name");
        // A key is always present, whatever the blueprint says about the id field.
        var fields = new ScriptArray(entity.Fields.Select(f => FieldModel(f.Name == "id" ? f with { Required = true } : f, entity.Name, checker)));
        var idSpec = entity.Fields.FirstOrDefault(f => f.Name == "id");
        var idModel = idSpec is null ? null : fields.Cast<ScriptObject>().First(f => f["name"] as string == "id");
        var keyGenerated = idSpec is null || idSpec.Type == FieldType.Uuid;
        var keyType = idSpec is null ? "Guid" : CSharpBaseType(idSpec, entity.Name);
        var requestFields = new ScriptArray(fields.Cast<ScriptObject>().Where(f => !(idSpec is not null && keyGenerated && f["name"] as string == "id")));
        return Obj(
            ("name", entity.Name),
            ("pascal_name", TemplateFunctions.Pascal(entity.Name)),
            ("camel_name", TemplateFunctions.Camel(entity.Name)),
            ("kebab_name", TemplateFunctions.Kebab(entity.Name)),
            ("snake_name", TemplateFunctions.Snake(entity.Name)),
            ("description", entity.Description),
            ("fields", fields),
            ("request_fields", requestFields),
            ("has_id", idSpec is not null),
            ("id_field", idModel),
            ("key_type", keyType),
            ("key_generated", keyGenerated),
            ("enum_fields", new ScriptArray(fields.Cast<ScriptObject>().Where(f => f["is_enum"] is true))),
            ("pii_fields", new ScriptArray(fields.Cast<ScriptObject>().Where(f => f["pii"] is true))));
    }

    private static ScriptObject EventModel(EventSpec @event, IdentifierChecker checker)
    {
        checker.Identifier(@event.Name, "event name");
        return Obj(
            ("name", @event.Name),
            ("pascal_name", TemplateFunctions.Pascal(@event.Name)),
            ("kebab_name", TemplateFunctions.Kebab(@event.Name)),
            ("snake_name", TemplateFunctions.Snake(@event.Name)),
            ("description", @event.Description),
            ("entity", @event.Entity),
            ("fields", new ScriptArray(@event.Fields.Select(f => FieldModel(f, @event.Name, checker)))));
    }

    private static ScriptObject FieldModel(FieldSpec field, string owner, IdentifierChecker checker)
    {
        checker.Identifier(field.Name, $"field name of {owner}");
        foreach (var value in field.Values)
        {
            checker.Identifier(value, $"enum value of {owner}.{field.Name}");
        }

        var baseType = CSharpBaseType(field, owner);
        var (jsonType, jsonFormat) = field.Type switch
        {
            FieldType.String => ("string", null),
            FieldType.Int => ("integer", "int32"),
            FieldType.Decimal => ("number", "decimal"),
            FieldType.Bool => ("boolean", null),
            FieldType.DateTime => ("string", "date-time"),
            FieldType.Uuid => ("string", "uuid"),
            FieldType.Enum => ("string", (string?)null),
            _ => ("string", null),
        };
        var protoType = field.Type switch
        {
            FieldType.Int => "int32",
            FieldType.Bool => "bool",
            FieldType.DateTime => "google.protobuf.Timestamp",
            FieldType.Enum => baseType,
            _ => "string",
        };
        return Obj(
            ("name", field.Name),
            ("pascal_name", TemplateFunctions.Pascal(field.Name)),
            ("camel_name", TemplateFunctions.Camel(field.Name)),
            ("snake_name", TemplateFunctions.Snake(field.Name)),
            ("kebab_name", TemplateFunctions.Kebab(field.Name)),
            ("type", field.Type.ToString().ToLowerInvariant()),
            ("csharp_base_type", baseType),
            ("csharp_type", field.Required ? baseType : baseType + "?"),
            ("csharp_request_type", (field.Type == FieldType.Enum ? "string" : baseType) + "?"),
            ("is_value_type", field.Type != FieldType.String),
            ("is_string", field.Type == FieldType.String),
            ("is_enum", field.Type == FieldType.Enum),
            ("enum_type", field.Type == FieldType.Enum ? baseType : null),
            ("values", new ScriptArray(field.Values)),
            ("required", field.Required),
            ("max_length", field.MaxLength),
            ("pii", field.Pii),
            ("description", field.Description),
            ("json_type", jsonType),
            ("json_format", jsonFormat),
            ("proto_type", protoType));
    }

    private static string CSharpBaseType(FieldSpec field, string owner) => field.Type switch
    {
        FieldType.String => "string",
        FieldType.Int => "int",
        FieldType.Decimal => "decimal",
        FieldType.Bool => "bool",
        FieldType.DateTime => "DateTimeOffset",
        FieldType.Uuid => "Guid",
        FieldType.Enum => TemplateFunctions.Pascal(owner) + TemplateFunctions.Pascal(field.Name),
        _ => "string",
    };

    private static ScriptObject OperationModel(
        OperationSpec operation,
        IdentifierChecker checker,
        Dictionary<string, ScriptObject> entities,
        Dictionary<string, EntitySpec> entitySpecs,
        Dictionary<string, EventSpec> events,
        HashSet<string> upstreamPaths)
    {
        checker.Identifier(operation.Name, "operation name");
        checker.Route(operation.Path, operation.Name);
        var shape = OperationShape.Of(operation, entitySpecs);
        ScriptObject? Model(EntitySpec? spec) => spec is null ? null : entities[spec.Name];
        var inputEntity = Model(shape.InputEntity);
        var outputEntity = Model(shape.OutputEntity);
        var inputIsEvent = operation.Input.Length > 0 && inputEntity is null && events.ContainsKey(operation.Input);
        var target = Model(shape.Target);

        var routeParams = new ScriptArray();
        foreach (var name in shape.RouteParameters)
        {
            checker.Identifier(name, $"route parameter of {operation.Name}");
            routeParams.Add(Obj(
                ("name", name),
                ("pascal_name", TemplateFunctions.Pascal(name)),
                ("csharp_name", CSharpKeywords.Contains(name) ? "@" + name : name),
                ("csharp_type", "string")));
        }

        var crud = shape.Crud;
        ScriptObject? keyParam = null;
        if (shape.KeyParameter is not null && target is not null)
        {
            keyParam = routeParams[0] as ScriptObject;
            keyParam?.SetValue("csharp_type", target["key_type"], readOnly: false);
        }

        var method = operation.Method.ToString();
        var featurePath = $"tests/features/{TemplateFunctions.Kebab(operation.Name)}.feature";
        return Obj(
            ("name", operation.Name),
            ("pascal_name", TemplateFunctions.Pascal(operation.Name)),
            ("camel_name", TemplateFunctions.Camel(operation.Name)),
            ("kebab_name", TemplateFunctions.Kebab(operation.Name)),
            ("snake_name", TemplateFunctions.Snake(operation.Name)),
            ("method", method.ToUpperInvariant()),
            ("method_lower", method.ToLowerInvariant()),
            ("method_pascal", method),
            ("path", operation.Path),
            ("route_params", routeParams),
            ("scope", operation.Scope),
            ("input", operation.Input.Length > 0 ? operation.Input : null),
            ("input_entity", inputEntity),
            ("input_is_event", inputIsEvent),
            ("output", operation.Output.Length > 0 ? operation.Output : null),
            ("output_entity", outputEntity),
            ("output_is_list", operation.OutputIsList),
            ("description", operation.Description),
            ("behavior", operation.Behavior),
            ("crud", crud),
            ("entity", target),
            ("key_param", keyParam),
            ("feature_path", featurePath),
            ("has_feature", upstreamPaths.Contains(featurePath)));
    }

    private static ScriptObject Obj(params (string Key, object? Value)[] members)
    {
        var result = new ScriptObject(members.Length);
        foreach (var (key, value) in members)
        {
            result[key] = value;
        }

        return result;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabPattern();

    [GeneratedRegex(@"^/[A-Za-z0-9\-._~/{}]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RoutePattern();

    /// <summary>Rejects identifiers that are unsafe to put into code or paths.</summary>
    private sealed class IdentifierChecker(string skillId)
    {
        public string Identifier(string value, string what) =>
            IdentifierPattern().IsMatch(value) ? value : throw Reject(value, what);

        public string Kebab(string value, string what) =>
            KebabPattern().IsMatch(value) ? value : throw Reject(value, what);

        public string Route(string value, string operation) =>
            RoutePattern().IsMatch(value) ? value : throw Reject(value, $"path of {operation}");

        private SkillExecutionException Reject(string value, string what) =>
            new(skillId, $"Skill '{skillId}': {what} {TemplateFunctions.CSharpString(value)} is not a safe identifier; refusing to generate from it.");
    }
}
