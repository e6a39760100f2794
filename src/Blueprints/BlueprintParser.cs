using System.Globalization;

namespace Factory.Blueprints;

/// <summary>
/// Builds a <see cref="Blueprint"/> from a <see cref="YamlTree"/> by hand, schema key by schema key, reporting
/// wrong node kinds, unknown keys (with a suggestion), missing required keys, wrong scalar types and invalid
/// enum values, and remembering where each path is for the validator. It never stops at the first problem:
/// a wrong node yields a placeholder value and the walk goes on.
/// </summary>
internal sealed class BlueprintParser
{
    private static readonly string[] RootKeys = ["apiVersion", "metadata", "domain", "modules", "policies", "secrets", "environments"];
    private static readonly string[] MetadataKeys = ["name", "version", "description", "owner"];
    private static readonly string[] DomainKeys = ["entities", "events"];
    private static readonly string[] EntityKeys = ["name", "description", "fields"];
    private static readonly string[] EventKeys = ["name", "description", "entity", "fields"];
    private static readonly string[] FieldKeys = ["name", "type", "required", "maxLength", "pii", "values", "description", "example"];
    private static readonly string[] ModuleKeys = ["name", "kind", "description", "entities", "publishes", "consumes", "dependsOn", "operations"];
    private static readonly string[] OperationKeys = ["name", "method", "path", "scope", "input", "output", "outputIsList", "description", "behavior"];
    private static readonly string[] PolicyKeys = ["rules", "minTestCoverage", "costBudgetUsd"];
    private static readonly string[] SecretKeys = ["name", "ref"];
    private static readonly string[] EnvironmentKeys = ["name", "replicas"];

    /// <summary>Appended to a path to remember where a mapping key (rather than its value) is.</summary>
    public const string KeySuffix = "#key";

    private readonly ProblemSink _sink;

    private BlueprintParser(ProblemSink sink) => _sink = sink;

    /// <summary>Builds the blueprint from <paramref name="root"/>; returns null when the root is not a mapping.</summary>
    public static Blueprint? Build(YamlTreeNode root, ProblemSink sink) => new BlueprintParser(sink).ReadRoot(root);

    private Blueprint? ReadRoot(YamlTreeNode root)
    {
        _sink.Remember("$", root.Line, root.Column);
        var map = Mapping(root, "$", RootKeys);
        if (map is null)
        {
            return null;
        }

        var metadata = Mapping(Required(map, "metadata", "$"), "metadata", MetadataKeys);
        var domain = Optional(map, "domain") is { } domainNode ? Mapping(domainNode, "domain", DomainKeys) : null;
        var policies = Optional(map, "policies") is { } policyNode ? ReadPolicies(policyNode, "policies") : new PolicySpec();

        return new Blueprint
        {
            ApiVersion = RequiredString(map, "apiVersion", "$"),
            Metadata = new BlueprintMetadata
            {
                Name = metadata is null ? "" : RequiredString(metadata, "name", "metadata"),
                Version = metadata is null ? "" : RequiredString(metadata, "version", "metadata"),
                Description = metadata is null ? "" : String(Optional(metadata, "description"), "metadata.description") ?? "",
                Owner = metadata is null ? "" : String(Optional(metadata, "owner"), "metadata.owner") ?? "",
            },
            Domain = new DomainModel
            {
                Entities = domain is null ? [] : List(Optional(domain, "entities"), "domain.entities", ReadEntity),
                Events = domain is null ? [] : List(Optional(domain, "events"), "domain.events", ReadEvent),
            },
            Modules = List(Required(map, "modules", "$"), "modules", ReadModule),
            Policies = policies,
            Secrets = List(Optional(map, "secrets"), "secrets", ReadSecret),
            Environments = List(Optional(map, "environments"), "environments", ReadEnvironment),
        };
    }

    private EntitySpec ReadEntity(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, EntityKeys);
        return new EntitySpec
        {
            Name = map is null ? "" : RequiredString(map, "name", path),
            Description = map is null ? "" : String(Optional(map, "description"), path + ".description") ?? "",
            Fields = map is null ? [] : List(Required(map, "fields", path), path + ".fields", ReadField),
        };
    }

    private EventSpec ReadEvent(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, EventKeys);
        return new EventSpec
        {
            Name = map is null ? "" : RequiredString(map, "name", path),
            Description = map is null ? "" : String(Optional(map, "description"), path + ".description") ?? "",
            Entity = map is null ? "" : String(Optional(map, "entity"), path + ".entity") ?? "",
            Fields = map is null ? [] : List(Optional(map, "fields"), path + ".fields", ReadField),
        };
    }

    private FieldSpec ReadField(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, FieldKeys);
        if (map is null)
        {
            return new FieldSpec { Name = "", Type = FieldType.String };
        }

        return new FieldSpec
        {
            Name = RequiredString(map, "name", path),
            Type = Enum<FieldType>(Required(map, "type", path), path + ".type") ?? FieldType.String,
            Required = Bool(Optional(map, "required"), path + ".required") ?? false,
            MaxLength = Int(Optional(map, "maxLength"), path + ".maxLength"),
            Pii = Bool(Optional(map, "pii"), path + ".pii") ?? false,
            Values = StringList(Optional(map, "values"), path + ".values"),
            Description = String(Optional(map, "description"), path + ".description") ?? "",
            Example = String(Optional(map, "example"), path + ".example") ?? "",
        };
    }

    private ModuleSpec ReadModule(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, ModuleKeys);
        if (map is null)
        {
            return new ModuleSpec { Name = "" };
        }

        return new ModuleSpec
        {
            Name = RequiredString(map, "name", path),
            Kind = Enum<ModuleKind>(Optional(map, "kind"), path + ".kind") ?? ModuleKind.Service,
            Description = String(Optional(map, "description"), path + ".description") ?? "",
            Entities = StringList(Optional(map, "entities"), path + ".entities"),
            Publishes = StringList(Optional(map, "publishes"), path + ".publishes"),
            Consumes = StringList(Optional(map, "consumes"), path + ".consumes"),
            DependsOn = StringList(Optional(map, "dependsOn"), path + ".dependsOn"),
            Operations = List(Optional(map, "operations"), path + ".operations", ReadOperation),
        };
    }

    private OperationSpec ReadOperation(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, OperationKeys);
        if (map is null)
        {
            return new OperationSpec { Name = "", Method = HttpVerb.Get, Path = "" };
        }

        var output = String(Optional(map, "output"), path + ".output") ?? "";
        var outputIsList = Bool(Optional(map, "outputIsList"), path + ".outputIsList");
        var listSuffix = output.EndsWith("[]", StringComparison.Ordinal);
        if (listSuffix)
        {
            output = output[..^2];
            if (outputIsList == false)
            {
                _sink.Add(BlueprintProblemCodes.OutputListConflict, path + ".outputIsList", "`outputIsList: false` conflicts with `output: " + ProblemSink.Quote(output) + "[]`; drop one of them");
            }
        }

        return new OperationSpec
        {
            Name = RequiredString(map, "name", path),
            Method = Enum<HttpVerb>(Required(map, "method", path), path + ".method") ?? HttpVerb.Get,
            Path = RequiredString(map, "path", path),
            Scope = String(Optional(map, "scope"), path + ".scope") ?? "",
            Input = String(Optional(map, "input"), path + ".input") ?? "",
            Output = output,
            OutputIsList = listSuffix || outputIsList == true,
            Description = String(Optional(map, "description"), path + ".description") ?? "",
            Behavior = String(Optional(map, "behavior"), path + ".behavior") ?? "",
        };
    }

    private PolicySpec ReadPolicies(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, PolicyKeys);
        if (map is null)
        {
            return new PolicySpec();
        }

        var rules = new SortedDictionary<string, RuleMode>(StringComparer.Ordinal);
        if (Optional(map, "rules") is { } rulesNode && Mapping(rulesNode, path + ".rules", known: null) is not null)
        {
            foreach (var entry in rulesNode.Entries)
            {
                var rulePath = path + ".rules." + YamlTree.SafeKey(entry.Key);
                _sink.Remember(rulePath + KeySuffix, entry.KeyNode.Line, entry.KeyNode.Column);
                if (Enum<RuleMode>(entry.Value, rulePath) is { } mode)
                {
                    rules[entry.Key] = mode;
                }
            }
        }

        return new PolicySpec
        {
            Rules = rules,
            MinTestCoverage = Decimal(Optional(map, "minTestCoverage"), path + ".minTestCoverage") ?? 1m,
            CostBudgetUsd = Decimal(Optional(map, "costBudgetUsd"), path + ".costBudgetUsd"),
        };
    }

    private SecretRef ReadSecret(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, SecretKeys);
        return new SecretRef
        {
            Name = map is null ? "" : RequiredString(map, "name", path),
            Ref = map is null ? "" : RequiredString(map, "ref", path),
        };
    }

    private EnvironmentSpec ReadEnvironment(YamlTreeNode node, string path)
    {
        var map = Mapping(node, path, EnvironmentKeys);
        return new EnvironmentSpec
        {
            Name = map is null ? "" : RequiredString(map, "name", path),
            Replicas = map is null ? 1 : Int(Optional(map, "replicas"), path + ".replicas") ?? 1,
        };
    }

    // ---- node helpers -------------------------------------------------------------------------------------

    /// <summary>
    /// The entries of a mapping node (reporting unknown keys against <paramref name="known"/> when given), or
    /// null (reported) when the node is not a mapping.
    /// </summary>
    private Dictionary<string, YamlTreeNode>? Mapping(YamlTreeNode? node, string path, string[]? known)
    {
        if (node is null || node.Kind == YamlNodeKind.Alias)
        {
            return null;
        }

        _sink.Remember(path, node.Line, node.Column);
        if (node.Kind != YamlNodeKind.Mapping)
        {
            _sink.Add(BlueprintProblemCodes.WrongNodeKind, path, node.Line, node.Column, $"expected a mapping, found {Describe(node)}");
            return null;
        }

        var entries = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        foreach (var entry in node.Entries)
        {
            if (known is not null && Array.IndexOf(known, entry.Key) < 0)
            {
                var suggestion = Identifiers.Suggest(entry.Key, known);
                var hint = suggestion is null ? "allowed keys: " + string.Join(", ", known) : $"did you mean `{suggestion}`?";
                _sink.Add(BlueprintProblemCodes.UnknownKey, YamlTree.ChildPath(path, YamlTree.SafeKey(entry.Key)), entry.KeyNode.Line, entry.KeyNode.Column, $"unknown key `{YamlTree.SafeKey(entry.Key)}`; {hint}");
                continue;
            }

            entries[entry.Key] = entry.Value;
        }

        return entries;
    }

    /// <summary>The value of a required key; reports it (at the mapping) when missing or null.</summary>
    private YamlTreeNode? Required(Dictionary<string, YamlTreeNode>? map, string key, string parentPath)
    {
        if (map is null)
        {
            return null;
        }

        var path = YamlTree.ChildPath(parentPath, key);
        if (!map.TryGetValue(key, out var node))
        {
            _sink.Add(BlueprintProblemCodes.MissingRequiredKey, path, $"missing required key `{key}`");
            return null;
        }

        if (node.IsNull)
        {
            _sink.Add(BlueprintProblemCodes.MissingRequiredKey, path, node.Line, node.Column, $"required key `{key}` must have a value");
            return null;
        }

        return node;
    }

    /// <summary>The value of a required string key; reports it when missing, null or empty.</summary>
    private string RequiredString(Dictionary<string, YamlTreeNode>? map, string key, string parentPath)
    {
        var path = YamlTree.ChildPath(parentPath, key);
        var node = Required(map, key, parentPath);
        var value = String(node, path);
        if (node is not null && value is { Length: 0 })
        {
            _sink.Add(BlueprintProblemCodes.MissingRequiredKey, path, node.Line, node.Column, $"required key `{key}` must not be empty");
        }

        return value ?? "";
    }

    /// <summary>The value of an optional key, or null when absent or null.</summary>
    private static YamlTreeNode? Optional(Dictionary<string, YamlTreeNode>? map, string key) =>
        map is not null && map.TryGetValue(key, out var node) && !node.IsNull ? node : null;

    private List<T> List<T>(YamlTreeNode? node, string path, Func<YamlTreeNode, string, T> readItem)
    {
        if (node is null || node.Kind == YamlNodeKind.Alias)
        {
            return [];
        }

        _sink.Remember(path, node.Line, node.Column);
        if (node.Kind != YamlNodeKind.Sequence)
        {
            _sink.Add(BlueprintProblemCodes.WrongNodeKind, path, node.Line, node.Column, $"expected a sequence, found {Describe(node)}");
            return [];
        }

        var items = new List<T>(node.Items.Count);
        for (var i = 0; i < node.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            _sink.Remember(itemPath, node.Items[i].Line, node.Items[i].Column);
            items.Add(readItem(node.Items[i], itemPath));
        }

        return items;
    }

    private List<string> StringList(YamlTreeNode? node, string path) =>
        List(node, path, (item, itemPath) => String(item, itemPath) ?? "");

    private string? String(YamlTreeNode? node, string path)
    {
        if (node is null || node.Kind == YamlNodeKind.Alias)
        {
            return null;
        }

        _sink.Remember(path, node.Line, node.Column);
        if (node.Kind != YamlNodeKind.Scalar)
        {
            _sink.Add(BlueprintProblemCodes.WrongNodeKind, path, node.Line, node.Column, $"expected a string, found {Describe(node)}");
            return null;
        }

        return node.IsNull ? null : node.Value;
    }

    private int? Int(YamlTreeNode? node, string path)
    {
        var text = PlainScalar(node, path, "an integer");
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _sink.Add(BlueprintProblemCodes.InvalidScalar, path, $"expected an integer, found `{ProblemSink.Quote(text)}`");
        return null;
    }

    private bool? Bool(YamlTreeNode? node, string path)
    {
        var text = PlainScalar(node, path, "true or false");
        switch (text)
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                _sink.Add(BlueprintProblemCodes.InvalidScalar, path, $"expected true or false, found `{ProblemSink.Quote(text)}`");
                return null;
        }
    }

    private decimal? Decimal(YamlTreeNode? node, string path)
    {
        var text = PlainScalar(node, path, "a number");
        if (text is null)
        {
            return null;
        }

        const NumberStyles styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (decimal.TryParse(text, styles, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _sink.Add(BlueprintProblemCodes.InvalidScalar, path, $"expected a number, found `{ProblemSink.Quote(text)}`");
        return null;
    }

    /// <summary>
    /// The text of a plain scalar (numbers and booleans must be unquoted, as in YAML and JSON), or null when
    /// absent, null or wrong (reported).
    /// </summary>
    private string? PlainScalar(YamlTreeNode? node, string path, string expected)
    {
        if (node is null || node.Kind == YamlNodeKind.Alias)
        {
            return null;
        }

        _sink.Remember(path, node.Line, node.Column);
        if (node.Kind != YamlNodeKind.Scalar)
        {
            _sink.Add(BlueprintProblemCodes.WrongNodeKind, path, node.Line, node.Column, $"expected {expected}, found {Describe(node)}");
            return null;
        }

        if (node.IsNull)
        {
            return null;
        }

        if (!node.IsPlain)
        {
            _sink.Add(BlueprintProblemCodes.InvalidScalar, path, node.Line, node.Column, $"expected {expected}, found the quoted string `{ProblemSink.Quote(node.Value)}`; remove the quotes");
            return null;
        }

        return node.Value;
    }

    /// <summary>Parses an enum value case-insensitively by its lower-case name (e.g. <c>datetime</c>, <c>POST</c>).</summary>
    private T? Enum<T>(YamlTreeNode? node, string path)
        where T : struct, Enum
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        foreach (var value in System.Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        var allowed = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        var suggestion = Identifiers.Suggest(text, allowed);
        var hint = suggestion is null ? "" : $"; did you mean `{suggestion}`?";
        _sink.Add(BlueprintProblemCodes.InvalidEnumValue, path, $"`{ProblemSink.Quote(text)}` is not one of: {string.Join(", ", allowed)}{hint}");
        return null;
    }

    private static string Describe(YamlTreeNode node) =>
        node.Kind == YamlNodeKind.Scalar ? $"the scalar `{ProblemSink.Quote(node.Value)}`" : node.KindName;
}
