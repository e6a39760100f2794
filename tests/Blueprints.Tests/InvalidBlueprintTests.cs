namespace Factory.Blueprints.Tests;

/// <summary>A table of bad blueprints, each with the exact problems expected (code, path, line, column).</summary>
public sealed class InvalidBlueprintTests
{
    /// <summary>A small valid blueprint; cases edit it. Its line numbers are referred to by the expectations below.</summary>
    internal const string Base = """
        apiVersion: factory/v1
        metadata:
          name: demo
          version: 1.0.0
        domain:
          entities:
            - name: Item
              fields:
                - name: id
                  type: uuid
                - name: title
                  type: string
                  maxLength: 80
        modules:
          - name: items
            entities: [Item]
            operations:
              - name: GetItem
                method: GET
                path: /items/{id}
                scope: items.read
                output: Item

        """;

    public static TheoryData<string, string, Expected[]> Cases() => new()
    {
        {
            "syntax error",
            Edit("name: demo", "name: [demo"),
            [new(BlueprintProblemCodes.YamlSyntax, "$", 3, 9)]
        },
        {
            "document larger than the limit",
            Base + "# " + new string('x', BlueprintLimits.MaxDocumentBytes) + "\n",
            [new(BlueprintProblemCodes.DocumentTooLarge, "$", 1, 1, "262144")]
        },
        {
            "empty document",
            "# nothing but a comment\n",
            [new(BlueprintProblemCodes.EmptyDocument, "$", 1, 1)]
        },
        {
            "second YAML document",
            Base + "---\napiVersion: factory/v1\n",
            [new(BlueprintProblemCodes.MultipleDocuments, "$", 23, 1)]
        },
        {
            "alias",
            Edit("name: demo", "name: &n demo").Replace("scope: items.read", "scope: *n", StringComparison.Ordinal),
            [new(BlueprintProblemCodes.AliasNotAllowed, "modules[0].operations[0].scope", 21, 16)]
        },
        {
            "sequence where a mapping is expected",
            Edit("  name: demo\n  version: 1.0.0", "  - name: demo\n  - version: 1.0.0"),
            [new(BlueprintProblemCodes.WrongNodeKind, "metadata", 3, 3, "expected a mapping")]
        },
        {
            "mapping where a list is expected",
            Edit("entities: [Item]", "entities: {Item: true}"),
            [new(BlueprintProblemCodes.WrongNodeKind, "modules[0].entities", 16, 15, "expected a sequence")]
        },
        {
            "unknown key close to a known one",
            Edit("maxLength: 80", "maxLenght: 80"),
            [new(BlueprintProblemCodes.UnknownKey, "domain.entities[0].fields[1].maxLenght", 13, 11, "did you mean `maxLength`?")]
        },
        {
            "unknown root key close to a known one",
            Base + "enviroments:\n  - name: dev\n",
            [new(BlueprintProblemCodes.UnknownKey, "enviroments", 23, 1, "did you mean `environments`?")]
        },
        {
            "missing required key",
            Edit("        method: GET\n", ""),
            [new(BlueprintProblemCodes.MissingRequiredKey, "modules[0].operations[0].method", 18, 9, "`method`")]
        },
        {
            "duplicate key",
            Edit("  version: 1.0.0", "  version: 1.0.0\n  name: again"),
            [new(BlueprintProblemCodes.DuplicateKey, "metadata.name", 5, 3)]
        },
        {
            "text where an integer is expected",
            Edit("maxLength: 80", "maxLength: abc"),
            [new(BlueprintProblemCodes.InvalidScalar, "domain.entities[0].fields[1].maxLength", 13, 22, "expected an integer")]
        },
        {
            "quoted integer",
            Edit("maxLength: 80", "maxLength: \"80\""),
            [new(BlueprintProblemCodes.InvalidScalar, "domain.entities[0].fields[1].maxLength", 13, 22, "remove the quotes")]
        },
        {
            "unknown field type",
            Edit("type: uuid", "type: guid"),
            [new(BlueprintProblemCodes.InvalidEnumValue, "domain.entities[0].fields[0].type", 10, 17, "string, int, decimal, bool, datetime, uuid, enum")]
        },
        {
            "unsupported apiVersion",
            Edit("apiVersion: factory/v1", "apiVersion: factory/v2"),
            [new(BlueprintProblemCodes.UnsupportedApiVersion, "apiVersion", 1, 13)]
        },
        {
            "blueprint name not kebab-case",
            Edit("name: demo", "name: Demo_App"),
            [new(BlueprintProblemCodes.InvalidBlueprintName, "metadata.name", 3, 9)]
        },
        {
            "version not SemVer",
            Edit("version: 1.0.0", "version: 1.0"),
            [new(BlueprintProblemCodes.InvalidVersion, "metadata.version", 4, 12)]
        },
        {
            "operation name not PascalCase",
            Edit("name: GetItem", "name: get_item"),
            [new(BlueprintProblemCodes.InvalidTypeName, "modules[0].operations[0].name", 18, 15)]
        },
        {
            "field name not camelCase",
            Edit("name: title", "name: Title"),
            [new(BlueprintProblemCodes.InvalidFieldName, "domain.entities[0].fields[1].name", 11, 17)]
        },
        {
            "field name is a C# keyword",
            Edit("name: title", "name: class"),
            [new(BlueprintProblemCodes.ReservedKeyword, "domain.entities[0].fields[1].name", 11, 17, "C# keyword")]
        },
        {
            "field name is a C# keyword in another case",
            Edit("name: title", "name: eVENT"),
            [new(BlueprintProblemCodes.ReservedKeyword, "domain.entities[0].fields[1].name", 11, 17)]
        },
        {
            "duplicate field name",
            Edit("name: title", "name: id"),
            [new(BlueprintProblemCodes.DuplicateName, "domain.entities[0].fields[1].name", 11, 17)]
        },
        {
            "field named like its entity",
            Edit("name: title", "name: item"),
            [new(BlueprintProblemCodes.FieldNameCollision, "domain.entities[0].fields[1].name", 11, 17, "collides with the entity name")]
        },
        {
            "module name not kebab-case",
            Edit("- name: items", "- name: Items"),
            [new(BlueprintProblemCodes.InvalidModuleName, "modules[0].name", 15, 11)]
        },
        {
            "path traversal",
            Edit("path: /items/{id}", "path: /items/../admin"),
            [new(BlueprintProblemCodes.InvalidPath, "modules[0].operations[0].path", 20, 15, "`..`")]
        },
        {
            "path with an empty segment",
            Edit("path: /items/{id}", "path: /items//{id}"),
            [new(BlueprintProblemCodes.InvalidPath, "modules[0].operations[0].path", 20, 15, "empty segment")]
        },
        {
            "path parameter that is not a field",
            Edit("path: /items/{id}", "path: /items/{itemId}"),
            [new(BlueprintProblemCodes.UnknownPathParameter, "modules[0].operations[0].path", 20, 15, "`{itemId}`")]
        },
        {
            "scope with capitals",
            Edit("scope: items.read", "scope: Items.Read"),
            [new(BlueprintProblemCodes.InvalidScope, "modules[0].operations[0].scope", 21, 16)]
        },
        {
            "unknown output entity",
            Edit("output: Item", "output: Itme[]"),
            [new(BlueprintProblemCodes.UnknownReference, "modules[0].operations[0].output", 22, 17, "did you mean `Item`?")]
        },
        {
            "unknown input entity",
            Base + "        input: Widget\n",
            [new(BlueprintProblemCodes.UnknownReference, "modules[0].operations[0].input", 23, 16, "`Widget`")]
        },
        {
            "unknown entity in a module",
            Edit("entities: [Item]", "entities: [Item, Order]"),
            [new(BlueprintProblemCodes.UnknownReference, "modules[0].entities[1]", 16, 22, "`Order`")]
        },
        {
            "duplicate route in a module",
            Base + "      - name: FetchItem\n        method: get\n        path: /items/{key}\n        scope: items.read\n",
            [new(BlueprintProblemCodes.DuplicateRoute, "modules[0].operations[1].path", 25, 15, "GetItem")]
        },
        {
            "dependency cycle",
            Base + "    dependsOn: [billing]\n  - name: billing\n    dependsOn: [items]\n    operations:\n      - name: GetBill\n        method: GET\n        path: /bills\n        scope: billing.read\n",
            [new(BlueprintProblemCodes.DependencyCycle, "modules[0].dependsOn[0]", 23, 17, "items -> billing -> items")]
        },
        {
            "self dependency",
            Base + "    dependsOn: [items]\n",
            [new(BlueprintProblemCodes.SelfDependency, "modules[0].dependsOn[0]", 23, 17)]
        },
        {
            "unknown module dependency",
            Base + "    dependsOn: [iterms]\n",
            [new(BlueprintProblemCodes.UnknownReference, "modules[0].dependsOn[0]", 23, 17, "did you mean `items`?")]
        },
        {
            "service module without operations",
            Base + "  - name: reports\n    description: Nothing yet.\n",
            [new(BlueprintProblemCodes.ModuleWithoutOperations, "modules[1].operations", 23, 5)]
        },
        {
            "operation name reused in another module",
            Base + "  - name: archive\n    operations:\n      - name: GetItem\n        method: GET\n        path: /archive/{id}\n        scope: archive.read\n",
            [new(BlueprintProblemCodes.DuplicateName, "modules[1].operations[0].name", 25, 15, "module `items`")]
        },
        {
            "maxLength on an int",
            Edit("type: string", "type: int"),
            [new(BlueprintProblemCodes.MaxLengthNotAllowed, "domain.entities[0].fields[1].maxLength", 13, 22)]
        },
        {
            "maxLength out of range",
            Edit("maxLength: 80", "maxLength: 0"),
            [new(BlueprintProblemCodes.MaxLengthOutOfRange, "domain.entities[0].fields[1].maxLength", 13, 22, "1000000")]
        },
        {
            "enum without values",
            Edit("type: string\n          maxLength: 80", "type: enum\n          pii: true"),
            [new(BlueprintProblemCodes.EnumValuesMissing, "domain.entities[0].fields[1].values", 11, 11)]
        },
        {
            "enum value not PascalCase",
            Edit("type: string\n          maxLength: 80", "type: enum\n          values: [open, Closed]"),
            [new(BlueprintProblemCodes.InvalidEnumMember, "domain.entities[0].fields[1].values[0]", 13, 20)]
        },
        {
            "values on a string",
            Edit("maxLength: 80", "values: [A, B]"),
            [new(BlueprintProblemCodes.ValuesNotAllowed, "domain.entities[0].fields[1].values", 13, 19)]
        },
        {
            "secret literal in a description",
            Edit("  version: 1.0.0", "  version: 1.0.0\n  description: calls the API with AKIAIOSFODNN7EXAMPLE"),
            [new(BlueprintProblemCodes.SecretLiteral, "metadata.description", 5, 16, "use a secret reference")]
        },
        {
            "unknown policy rule",
            Base + "policies:\n  rules:\n    compile: block\n",
            [new(BlueprintProblemCodes.UnknownPolicyRule, "policies.rules.compile", 25, 5, "did you mean `compiles`?")]
        },
        {
            "unknown rule mode",
            Base + "policies:\n  rules:\n    compiles: fail\n",
            [new(BlueprintProblemCodes.InvalidEnumValue, "policies.rules.compiles", 25, 15, "block, warn, off")]
        },
        {
            "coverage above one",
            Base + "policies:\n  minTestCoverage: 1.5\n",
            [new(BlueprintProblemCodes.CoverageOutOfRange, "policies.minTestCoverage", 24, 20)]
        },
        {
            "zero cost budget",
            Base + "policies:\n  costBudgetUsd: 0.00\n",
            [new(BlueprintProblemCodes.CostBudgetNotPositive, "policies.costBudgetUsd", 24, 18)]
        },
        {
            "secret reference with another scheme",
            Base + "secrets:\n  - name: dbPassword\n    ref: https://vault.local/db\n",
            [new(BlueprintProblemCodes.InvalidSecretRef, "secrets[0].ref", 25, 10)]
        },
        {
            "bad environment name and replicas",
            Base + "environments:\n  - name: Prod\n    replicas: 0\n",
            [
                new(BlueprintProblemCodes.InvalidEnvironmentName, "environments[0].name", 24, 11),
                new(BlueprintProblemCodes.ReplicasOutOfRange, "environments[0].replicas", 25, 15),
            ]
        },
        {
            "duplicate entity name",
            Edit("modules:", "    - name: Item\n      fields:\n        - name: id\n          type: uuid\nmodules:"),
            [new(BlueprintProblemCodes.DuplicateName, "domain.entities[1].name", 14, 13)]
        },
        {
            "event named like an entity",
            Edit("modules:", "  events:\n    - name: Item\nmodules:"),
            [new(BlueprintProblemCodes.DuplicateName, "domain.events[0].name", 15, 13, "name of an entity")]
        },
        {
            "bad indentation",
            Edit("  version: 1.0.0", " version: 1.0.0"),
            [new(BlueprintProblemCodes.YamlSyntax, "$", 4, 2)]
        },
        {
            "empty required string",
            Edit("path: /items/{id}", "path: ''"),
            [new(BlueprintProblemCodes.MissingRequiredKey, "modules[0].operations[0].path", 20, 15, "must not be empty")]
        },
        {
            "no modules",
            Edit("modules:\n", "modules: []\nx:\n").Split("  - name: items")[0],
            [
                new(BlueprintProblemCodes.NoModules, "modules", 14, 10),
                new(BlueprintProblemCodes.UnknownKey, "x", 15, 1),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LoadReportsExactlyTheExpectedProblems(string description, string yaml, Expected[] expected)
    {
        var result = BlueprintLoader.Load(yaml, description);

        Assert.False(result.IsValid);
        Assert.Null(result.Hash);
        Assert.Null(result.CanonicalJson);
        var actual = result.Problems.Select(p => new Expected(p.Code, p.Path, p.Line, p.Column)).ToList();
        Assert.True(
            expected.Select(e => e with { MessageContains = null }).SequenceEqual(actual),
            $"{description}: expected\n  {string.Join("\n  ", expected.Select(e => e with { MessageContains = null }))}\nbut got\n  {string.Join("\n  ", result.Problems)}");
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].MessageContains is { } fragment)
            {
                Assert.Contains(fragment, result.Problems[i].Message, StringComparison.Ordinal);
            }
        }
    }

    private static string Edit(string find, string replacement)
    {
        Assert.Contains(find, Base, StringComparison.Ordinal);
        return Base.Replace(find, replacement, StringComparison.Ordinal);
    }

    /// <summary>An expected problem; <see cref="MessageContains"/> is checked when set.</summary>
    public sealed record Expected(string Code, string Path, int Line, int Column, string? MessageContains = null);
}
