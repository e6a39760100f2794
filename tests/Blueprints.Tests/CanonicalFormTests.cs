namespace Factory.Blueprints.Tests;

public sealed class CanonicalFormTests
{
    private const string Reformatted = """
        # Same blueprint as InvalidBlueprintTests.Base: other key order, quoting, flow style and comments.
        modules:
          - operations:
              - {output: "Item", scope: 'items.read', path: "/items/{id}", method: get, name: GetItem}
            entities: ["Item"]
            name: items   # trailing comment
        domain:
          entities:
            - fields: [{type: UUID, name: id}, {maxLength: 80, type: String, name: 'title'}]
              name: Item
        metadata: {version: "1.0.0", name: demo}
        apiVersion: "factory/v1"
        """;

    [Fact]
    public void CommentsKeyOrderQuotingAndFlowStyleDoNotChangeTheHash()
    {
        var original = Load(InvalidBlueprintTests.Base);
        var reformatted = Load(Reformatted);

        Assert.Equal(original.CanonicalJson, reformatted.CanonicalJson);
        Assert.Equal(original.Hash, reformatted.Hash);
    }

    [Theory]
    [InlineData("maxLength: 80", "maxLength: 81")]
    [InlineData("name: demo", "name: demo2")]
    [InlineData("type: uuid", "type: string")]
    [InlineData("scope: items.read", "scope: items.list")]
    [InlineData("output: Item", "output: Item[]")]
    [InlineData("method: GET", "method: POST")]
    public void ChangingAValueChangesTheHash(string find, string replacement)
    {
        var original = Load(InvalidBlueprintTests.Base);
        var changed = Load(InvalidBlueprintTests.Base.Replace(find, replacement, StringComparison.Ordinal));

        Assert.NotEqual(original.Hash, changed.Hash);
    }

    [Fact]
    public void EquivalentDecimalsHaveOneCanonicalText()
    {
        var one = Load(InvalidBlueprintTests.Base + "policies:\n  minTestCoverage: 1.0\n  costBudgetUsd: 2.50\n");
        var other = Load(InvalidBlueprintTests.Base + "policies:\n  minTestCoverage: 1\n  costBudgetUsd: 2.5000\n");

        Assert.Equal(one.Hash, other.Hash);
        Assert.Contains("\"minTestCoverage\":1,\"costBudgetUsd\":2.5}", one.CanonicalJson, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyRulesAreSortedByIdWhateverTheDocumentOrder()
    {
        var one = Load(InvalidBlueprintTests.Base + "policies:\n  rules:\n    pii-redacted: warn\n    compiles: off\n");
        var other = Load(InvalidBlueprintTests.Base + "policies:\n  rules:\n    compiles: OFF\n    pii-redacted: Warn\n");

        Assert.Equal(one.Hash, other.Hash);
        Assert.Contains("\"rules\":{\"compiles\":\"off\",\"pii-redacted\":\"warn\"}", one.CanonicalJson, StringComparison.Ordinal);
    }

    [Fact]
    public void CanonicalJsonWritesEveryMemberInDeclarationOrderWithDefaults()
    {
        var json = Load(InvalidBlueprintTests.Base).CanonicalJson!;

        Assert.Equal(
            """{"apiVersion":"factory/v1","metadata":{"name":"demo","version":"1.0.0","description":"","owner":""},"domain":{"entities":[{"name":"Item","description":"","fields":[{"name":"id","type":"uuid","required":false,"maxLength":null,"pii":false,"values":[],"description":""},{"name":"title","type":"string","required":false,"maxLength":80,"pii":false,"values":[],"description":""}]}],"events":[]},"modules":[{"name":"items","kind":"service","description":"","entities":["Item"],"publishes":[],"consumes":[],"dependsOn":[],"operations":[{"name":"GetItem","method":"get","path":"/items/{id}","scope":"items.read","input":"","output":"Item","outputIsList":false,"description":"","behavior":""}]}],"policies":{"rules":{},"minTestCoverage":1,"costBudgetUsd":null},"secrets":[],"environments":[{"name":"dev","replicas":1}]}""",
            json);
    }

    [Fact]
    public void HashIsLowerCaseHexSha256OfTheCanonicalJson()
    {
        var result = Load(InvalidBlueprintTests.Base);

        Assert.Equal(BlueprintCanonicalForm.Sha256Hex(result.CanonicalJson!), result.Hash);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", BlueprintCanonicalForm.Sha256Hex(""));
    }

    [Fact]
    public void NonAsciiAndEscapedTextRoundTripsThroughCanonicalJson()
    {
        var yaml = InvalidBlueprintTests.Base.Replace(
            "  version: 1.0.0",
            "  version: 1.0.0\n  description: \"Prise de rendez-vous \\u00e9t\\u00e9 \\U0001F600 <b>&</b> \\\"quoted\\\"\\nsecond line\\ttab\"",
            StringComparison.Ordinal);
        var first = Load(yaml);

        var second = Load(first.CanonicalJson!);

        Assert.Equal("Prise de rendez-vous été 😀 <b>&</b> \"quoted\"\nsecond line\ttab", first.Blueprint!.Metadata.Description);
        Assert.Equal(first.Blueprint.Metadata.Description, second.Blueprint!.Metadata.Description);
        Assert.Equal(first.Hash, second.Hash);
    }

    [Fact]
    public void OutputIsListCanBeWrittenEitherWay()
    {
        var suffix = Load(InvalidBlueprintTests.Base.Replace("output: Item", "output: Item[]", StringComparison.Ordinal));
        var explicitFlag = Load(InvalidBlueprintTests.Base + "        outputIsList: true\n");

        Assert.True(suffix.Blueprint!.Modules[0].Operations[0].OutputIsList);
        Assert.Equal("Item", suffix.Blueprint.Modules[0].Operations[0].Output);
        Assert.Equal(suffix.Hash, explicitFlag.Hash);
    }

    private static BlueprintLoadResult Load(string text)
    {
        var result = BlueprintLoader.Load(text);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result;
    }
}
