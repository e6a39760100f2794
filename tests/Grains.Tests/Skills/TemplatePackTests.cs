using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Skills;

public sealed class TemplatePackTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-pack-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void EmbeddedPackLoadsWithSkillsForEveryTemplateRole()
    {
        var pack = TemplatePack.LoadEmbedded();

        Assert.Equal("dotnet-service", pack.Name);
        Assert.Equal("2.1.0", pack.Version);
        // The validator's skill is built in (the gates); every other role has template skills.
        foreach (var role in AgentRoles.All.Where(r => r != AgentRoles.Validator))
        {
            var skills = pack.SkillsFor(role);
            Assert.NotEmpty(skills);
            Assert.All(skills, s => Assert.Matches(@"^[0-9]+\.[0-9]+\.[0-9]+$", s.Version));
        }

        Assert.Equal(pack.Skills.Count, pack.Skills.Select(s => s.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SkillsForUnknownRoleIsEmpty() => Assert.Empty(TemplatePack.LoadEmbedded().SkillsFor("astronaut"));

    [Fact]
    public void DirectoryPackLoadsLikeTheEmbeddedOne()
    {
        WritePack(Manifest("hello.sbn"), ("hello.sbn", "Hello {{ module.name }}"));

        var pack = TemplatePack.LoadFromDirectory(_folder);

        Assert.Equal("test-pack", pack.Name);
        var skill = Assert.Single(pack.SkillsFor(AgentRoles.Docs));
        Assert.Equal("docs.hello", skill.Id);
        Assert.Equal("hello.txt", Assert.Single(skill.Outputs).Path);
    }

    [Fact]
    public void BrokenTemplateFailsToLoadNamingTheFileAndLine()
    {
        WritePack(Manifest("docs/broken.sbn"), ("docs/broken.sbn", "line one\n{{ for x in module.name }}\nno end"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Equal("docs/broken.sbn", error.File);
        Assert.NotNull(error.Line);
        Assert.Contains("docs/broken.sbn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRoleFailsToLoadNamingPackYamlAndLine()
    {
        WritePack(Manifest("hello.sbn", role: "astronaut"), ("hello.sbn", "hi"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Equal("pack.yaml", error.File);
        Assert.Equal(7, error.Line);
        Assert.Contains("astronaut", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateSkillIdFailsToLoad()
    {
        var manifest = Manifest("hello.sbn") + Manifest("hello.sbn").Split("skills:\n")[1];
        WritePack(manifest, ("hello.sbn", "hi"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Contains("duplicate skill id 'docs.hello'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTemplateFileFailsToLoad()
    {
        WritePack(Manifest("nowhere.sbn"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Contains("nowhere.sbn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplateOutsideThePackIsRejected()
    {
        WritePack(Manifest("../escape.sbn"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Contains("../escape.sbn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadPackVersionFailsToLoad()
    {
        WritePack(Manifest("hello.sbn").Replace("version: 2.0.0", "version: two", StringComparison.Ordinal), ("hello.sbn", "hi"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder));

        Assert.Contains("semantic version", error.Message, StringComparison.Ordinal);
    }

    internal static string Manifest(string template, string role = "docs", string path = "hello.txt") =>
        $"""
        name: test-pack
        version: 2.0.0
        skills:
          - id: docs.hello
            version: 1.0.0
            description: says hello
            role: {role}
            outputs:
              - path: {path}
                template: {template}
                kind: text

        """;

    internal void WritePack(string manifest, params (string Path, string Text)[] templates)
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "pack.yaml"), manifest);
        foreach (var (path, text) in templates)
        {
            var target = Path.Combine(_folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target) ?? _folder);
            File.WriteAllText(target, text);
        }
    }

    internal string Folder => _folder;
}
