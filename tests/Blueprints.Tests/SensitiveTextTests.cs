namespace Factory.Blueprints.Tests;

public sealed class SensitiveTextTests
{
    private static string Mask(string text) => SensitiveText.Mask(text, (kind, _) => kind == SensitiveKind.Secret ? "[S]" : "[P]");

    [Theory]
    [InlineData("write to jane.roe@example.com today", "write to [P] today")]
    [InlineData("call +44 20 7946 0958 now", "call [P] now")]
    [InlineData("call (415) 555-0134 or 415-555-0199", "call [P] or [P]")]
    [InlineData("SSN 078-05-1120.", "SSN [P].")]
    [InlineData("card 4111 1111 1111 1111 ok", "card [P] ok")]
    [InlineData("card 4111-1111-1111-1111", "card [P]")]
    [InlineData("IBAN GB82 WEST 1234 5698 7654 32", "IBAN [P]")]
    [InlineData("key sk-proj-9fQ2xL7mN4pR8sT1vW3yZ6bC0dE5gH here", "key [S] here")]
    [InlineData("password=hunter2-correct-horse; user jane.roe@example.com", "[S]; user [P]")]
    [InlineData("postgres://app:s3cretpw@db.internal/app", "[S]/app")]
    public void MaskReplacesEachSensitiveSpanOnly(string text, string expected) => Assert.Equal(expected, Mask(text));

    [Theory]
    [InlineData("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    [InlineData("trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7")]
    [InlineData("run 01a213b3145e75ed877079cfabd63b9f at 2026-11-25T17:06:16.1234567+00:00")]
    [InlineData("took 1234.5 ms, cost 0.0001234, size 4096123")]
    [InlineData("todo-service@0.3.1 built-in@1.0.0 templates")]
    [InlineData("module todos: skill developer.api of agent developer failed: boom")]
    [InlineData("card 4111 1111 1111 1112 fails the Luhn check")]
    [InlineData("password=***secret*** and ***pii*** stay masked")]
    public void OrdinaryRecordsAreLeftAlone(string text) => Assert.Same(text, SensitiveText.Mask(text, (_, _) => "[X]"));

    [Theory]
    [InlineData("write to jane.roe@example.com today")]
    [InlineData("postgres://app:s3cretpw@db.internal/app")]
    [InlineData("write to jane.roe(at)example.com, postgres://app:s3cretpw.db.internal/app")]
    [InlineData("module todos: skill developer.api of agent developer failed: boom")]
    public void APatternIsSkippedOnlyWhereItCannotMatch(string text)
    {
        foreach (var (pattern, mayMatch) in SecretPatterns.All.Select(p => (p, SecretPatterns.MayMatch(p, text)))
                     .Concat(PiiPatterns.All.Select(p => (p, PiiPatterns.MayMatch(p, text)))))
        {
            Assert.True(mayMatch || !pattern.IsMatch(text), $"{pattern} matches '{text}' but was skipped");
        }

        var skipped = SecretPatterns.All.Count(p => !SecretPatterns.MayMatch(p, text)) + PiiPatterns.All.Count(p => !PiiPatterns.MayMatch(p, text));
        Assert.Equal(text.Contains('@', StringComparison.Ordinal) ? 0 : 2, skipped);
    }

    [Fact]
    public void RedactingABlueprintMasksFreeTextAndPiiExamplesAndKeepsItsShape()
    {
        var yaml = File.ReadAllText(RepositoryPaths.Sample("todo-service.yaml"))
            .Replace("  description: Create, list, update, complete and delete personal todo items.\n", "  description: \"support jane.roe@example.com\"\n", StringComparison.Ordinal)
            .Replace("          pii: true\n", "          pii: true\n          example: Philippa Quenby\n", StringComparison.Ordinal)
            .Replace("          description: Sort order within the owner's list.\n", "          description: Sort order within the owner's list.\n          example: \"3\"\n", StringComparison.Ordinal);
        var loaded = BlueprintLoader.LoadValid(yaml);

        var redacted = BlueprintRedaction.Redact(loaded, Mask, _ => "[PII]");

        Assert.Equal("support [P]", redacted.Metadata.Description);
        var fields = redacted.Domain.Entities.Single().Fields;
        Assert.Equal("[PII]", fields.Single(f => f.Name == "ownerEmail").Example);
        Assert.Equal("3", fields.Single(f => f.Name == "position").Example);
        var json = BlueprintCanonicalForm.ToJson(redacted);
        Assert.DoesNotContain("jane.roe", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Philippa", json, StringComparison.Ordinal);
        Assert.Equal(BlueprintCanonicalForm.ToJson(loaded with { Metadata = redacted.Metadata, Domain = redacted.Domain }), json);
        Assert.True(BlueprintLoader.Load(json).IsValid);
    }

    [Fact]
    public void ABlueprintWithoutExamplesKeepsItsCanonicalForm()
    {
        var yaml = File.ReadAllText(RepositoryPaths.Sample("todo-service.yaml"));
        var json = BlueprintCanonicalForm.ToJson(BlueprintLoader.LoadValid(yaml));
        Assert.DoesNotContain("\"example\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SampleBlueprintTests.Samples), MemberType = typeof(SampleBlueprintTests))]
    public void RedactingASampleChangesNothing(string file)
    {
        var blueprint = BlueprintLoader.LoadValid(File.ReadAllText(RepositoryPaths.Sample(file)));
        var redacted = BlueprintRedaction.Redact(blueprint, Mask, _ => "[PII]");
        Assert.Equal(BlueprintCanonicalForm.ToJson(blueprint), BlueprintCanonicalForm.ToJson(redacted));
    }
}
