namespace Factory.Blueprints.Tests;

public sealed class LoaderTests
{
    [Fact]
    public void LoadReportsEveryProblemOfADocumentInOnePass()
    {
        var yaml = """
            apiVersion: factory/v2
            metadata:
              name: Bad_Name
              version: one
              colour: blue
            domain:
              entities:
                - name: item
                  fields:
                    - name: class
                      type: int
                      maxLength: 5
            modules:
              - name: items
                dependsOn: [ghost]
                operations:
                  - name: GetItem
                    method: FETCH
                    path: /items/../x
                    scope: Items
            policies:
              minTestCoverage: 2
            """;

        var result = BlueprintLoader.Load(yaml);

        Assert.Equal(
            [
                ("FB013", "apiVersion"),
                ("FB014", "metadata.name"),
                ("FB015", "metadata.version"),
                ("FB007", "metadata.colour"),
                ("FB016", "domain.entities[0].name"),
                ("FB018", "domain.entities[0].fields[0].name"),
                ("FB033", "domain.entities[0].fields[0].maxLength"),
                ("FB029", "modules[0].dependsOn[0]"),
                ("FB011", "modules[0].operations[0].method"),
                ("FB023", "modules[0].operations[0].path"),
                ("FB022", "modules[0].operations[0].scope"),
                ("FB041", "policies.minTestCoverage"),
            ],
            result.Problems.Select(p => (p.Code, p.Path)));
        Assert.False(result.IsValid);
    }

    [Fact]
    public void ProblemFormatsWithPathPositionMessageAndCode()
    {
        var problem = new BlueprintProblem("FB023", "modules[1].operations[0].path", 12, 15, "bad path");

        Assert.Equal("modules[1].operations[0].path (line 12, column 15): bad path [FB023]", problem.ToString());
    }

    [Fact]
    public void SecretLiteralProblemDoesNotEchoTheSecret()
    {
        const string Secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        var yaml = InvalidBlueprintTests.Base + $"secrets:\n  - name: token\n    ref: {Secret}\n  - name: {Secret}\n    ref: env://X\n";

        var result = BlueprintLoader.Load(yaml);

        Assert.Equal(
            [(BlueprintProblemCodes.SecretLiteral, "secrets[0].ref"), (BlueprintProblemCodes.SecretLiteral, "secrets[1].name")],
            result.Problems.Select(p => (p.Code, p.Path)));
        Assert.All(result.Problems, p => Assert.DoesNotContain("ghp_", p.ToString(), StringComparison.Ordinal));
        var thrown = Assert.Throws<InvalidBlueprintException>(() => BlueprintLoader.LoadValid(yaml));
        Assert.DoesNotContain("ghp_", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretLookingUnknownKeyIsRedactedFromPathAndMessage()
    {
        var yaml = InvalidBlueprintTests.Base + "AKIAIOSFODNN7EXAMPLE: x\n";

        var result = BlueprintLoader.Load(yaml);

        Assert.NotEmpty(result.Problems);
        Assert.Contains(result.Problems, p => p.Code == BlueprintProblemCodes.SecretLiteral);
        Assert.All(result.Problems, p => Assert.DoesNotContain("AKIA", p.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void LoadValidThrowsWithEveryProblemListed()
    {
        var yaml = InvalidBlueprintTests.Base.Replace("name: demo", "name: Demo", StringComparison.Ordinal).Replace("version: 1.0.0", "version: 1", StringComparison.Ordinal);

        var thrown = Assert.Throws<InvalidBlueprintException>(() => BlueprintLoader.LoadValid(yaml, "demo.yaml"));

        Assert.Equal([BlueprintProblemCodes.InvalidBlueprintName, BlueprintProblemCodes.InvalidVersion], thrown.Problems.Select(p => p.Code));
        Assert.Contains("metadata.name (line 3, column 9)", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("metadata.version (line 4, column 12)", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadValidReturnsTheBlueprintWhenValid()
    {
        var blueprint = BlueprintLoader.LoadValid(InvalidBlueprintTests.Base);

        Assert.Equal("demo", blueprint.Metadata.Name);
    }

    [Fact]
    public void LoadFileReportsAMissingFileAsAProblem()
    {
        var path = Path.Combine(Path.GetTempPath(), "factory-blueprints-tests", Guid.NewGuid().ToString("N") + ".yaml");

        var result = BlueprintLoader.LoadFile(path);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(BlueprintProblemCodes.FileUnreadable, problem.Code);
        Assert.Equal(("$", 1, 1), (problem.Path, problem.Line, problem.Column));
        Assert.Null(result.Blueprint);
    }

    [Fact]
    public void LoadFileReportsADirectoryAsAProblem()
    {
        var result = BlueprintLoader.LoadFile(RepositoryPaths.Blueprints);

        Assert.Equal(BlueprintProblemCodes.FileUnreadable, Assert.Single(result.Problems).Code);
    }

    [Fact]
    public void EnvironmentsDefaultToOneDevReplica()
    {
        var blueprint = BlueprintLoader.LoadValid(InvalidBlueprintTests.Base);

        var environment = Assert.Single(blueprint.Environments);
        Assert.Equal(("dev", 1), (environment.Name, environment.Replicas));
    }

    [Fact]
    public void AliasBombIsRejectedWithoutExpanding()
    {
        var yaml = """
            a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]
            """;

        var result = BlueprintLoader.Load(yaml);

        Assert.Contains(result.Problems, p => p is { Code: BlueprintProblemCodes.AliasNotAllowed, Path: "b[0]", Line: 2, Column: 8 });
        Assert.Equal(36, result.Problems.Count(p => p.Code == BlueprintProblemCodes.AliasNotAllowed));
    }

    [Fact]
    public void DeepNestingIsRejected()
    {
        var yaml = InvalidBlueprintTests.Base + "secrets: " + new string('[', 1000) + new string(']', 1000) + "\n";

        var result = BlueprintLoader.Load(yaml);

        Assert.Equal(
            [(BlueprintProblemCodes.WrongNodeKind, "secrets[0]"), (BlueprintProblemCodes.NestingTooDeep, "secrets" + string.Concat(Enumerable.Repeat("[0]", BlueprintLimits.MaxNestingDepth - 1)))],
            result.Problems.Select(p => (p.Code, p.Path)));
    }

    [Fact]
    public void TooManyModulesIsALimitProblemNamingTheLimit()
    {
        var modules = string.Concat(Enumerable.Range(0, BlueprintLimits.MaxModules + 1).Select(i =>
            $"  - name: m{i}\n    operations:\n      - {{name: Op{i}, method: get, path: /m{i}, scope: m.read}}\n"));
        var yaml = InvalidBlueprintTests.Base.Split("modules:")[0] + "modules:\n" + modules;

        var result = BlueprintLoader.Load(yaml);

        var problem = Assert.Single(result.Problems);
        Assert.Equal((BlueprintProblemCodes.LimitExceeded, "modules", 15, 3), (problem.Code, problem.Path, problem.Line, problem.Column));
        Assert.Contains("MaxModules", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProblemCountIsCapped()
    {
        var fields = string.Concat(Enumerable.Range(0, 300).Select(i => $"        - name: Bad{i}\n          type: int\n"));
        var yaml = InvalidBlueprintTests.Base.Replace("      fields:\n", "      fields:\n" + fields, StringComparison.Ordinal);

        var result = BlueprintLoader.Load(yaml);

        Assert.Equal(BlueprintLimits.MaxProblems + 1, result.Problems.Count);
        Assert.Equal(BlueprintProblemCodes.TooManyProblems, result.Problems[^1].Code);
    }

    [Fact]
    public void ProblemCodesAreUniqueAndSequential()
    {
        var codes = typeof(BlueprintProblemCodes).GetFields()
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enumerable.Range(1, codes.Count).Select(i => $"FB{i:000}"), codes.Order(StringComparer.Ordinal));
    }
}
