using System.Text;
using Factory.Grains.Runtime;
using Factory.Grains.Skills;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Grains.Tests.Skills;

/// <summary>Outputs that name a native generator instead of a template: checked at pack load, dispatched at render.</summary>
public sealed class ArtifactGeneratorPackTests : IDisposable
{
    private readonly TemplatePackTests _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void UnknownGeneratorFailsToLoadNamingPackYamlAndLine()
    {
        _folder.WritePack(GeneratorManifest("nowhere"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder.Folder));

        Assert.Equal("pack.yaml", error.File);
        Assert.Equal(10, error.Line);
        Assert.Contains("generator 'nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Contains("openapi", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratorKnownToTheRuntimeButNotGivenToTheLoadIsUnknown()
    {
        _folder.WritePack(GeneratorManifest("openapi"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder.Folder, [new EchoGenerator()]));

        Assert.Equal(10, error.Line);
        Assert.Contains("registered: echo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputWithBothTemplateAndGeneratorIsRejected()
    {
        var manifest = TemplatePackTests.Manifest("hello.sbn").Replace("        template: hello.sbn\n", "        template: hello.sbn\n        generator: openapi\n", StringComparison.Ordinal);
        _folder.WritePack(manifest, ("hello.sbn", "hi"));

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder.Folder));

        Assert.Equal("pack.yaml", error.File);
        Assert.Equal(9, error.Line);
        Assert.Contains("both template 'hello.sbn' and generator 'openapi'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputWithNeitherTemplateNorGeneratorIsRejected()
    {
        var manifest = TemplatePackTests.Manifest("hello.sbn").Replace("        template: hello.sbn\n", "", StringComparison.Ordinal);
        _folder.WritePack(manifest);

        var error = Assert.Throws<TemplatePackException>(() => TemplatePack.LoadFromDirectory(_folder.Folder));

        Assert.Equal(9, error.Line);
        Assert.Contains("neither a template nor a generator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisteredGeneratorWritesOneFilePerEnvironmentFromTheSkillInput()
    {
        _folder.WritePack(GeneratorManifest("echo", path: "\"env/{{ environment.name }}.txt\"", each: "environment"));
        IArtifactGenerator[] generators = [new EchoGenerator()];
        var pack = TemplatePack.LoadFromDirectory(_folder.Folder, generators);
        var executor = new ScribanSkillExecutor(pack, generators);
        var (blueprint, hash) = ScribanSkillExecutorTests.ClinicSample();

        var files = executor.Execute(pack.Skills[0], new SkillInput { Blueprint = blueprint, BlueprintHash = hash, Module = blueprint.Modules[1] });

        Assert.Equal(blueprint.Environments.Select(e => $"env/{e.Name}.txt"), files.Select(f => f.Path));
        Assert.Equal(
            blueprint.Environments.Select(e => $"{blueprint.Modules[1].Name} {e.Name} env/{e.Name}.txt\n"),
            files.Select(f => Encoding.UTF8.GetString(f.Content.Span)));
        Assert.All(files, f => Assert.Equal("text", f.Kind));
    }

    [Fact]
    public void ExecutorRefusesAPackWhoseGeneratorItWasNotGiven()
    {
        _folder.WritePack(GeneratorManifest("echo"));
        var pack = TemplatePack.LoadFromDirectory(_folder.Folder, [new EchoGenerator()]);

        var error = Assert.Throws<ArgumentException>(() => new ScribanSkillExecutor(pack));

        Assert.Contains("echo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoGeneratorsWithOneNameAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ScribanSkillExecutor(SkillTestSupport.Pack, [.. BuiltInArtifactGenerators.All, new OpenApiContractGenerator()]));

        Assert.Contains("'openapi'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratorThatThrowsSurfacesSkillExecutionExceptionWithTheSkillId()
    {
        _folder.WritePack(GeneratorManifest("echo"));
        IArtifactGenerator[] generators = [new EchoGenerator(fail: true)];
        var executor = new ScribanSkillExecutor(TemplatePack.LoadFromDirectory(_folder.Folder, generators), generators);
        var (blueprint, hash) = ScribanSkillExecutorTests.ClinicSample();

        var error = Assert.Throws<SkillExecutionException>(() => executor.Execute(executor.Pack.Skills[0], new SkillInput { Blueprint = blueprint, BlueprintHash = hash, Module = blueprint.Modules[0] }));

        Assert.Equal("docs.hello", error.SkillId);
        Assert.Contains("generator 'echo'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RuntimeRegistersTheBuiltInGeneratorsAndTheEmbeddedPackUsesThem()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddFactoryRuntime();
        using var provider = services.BuildServiceProvider();

        var names = provider.GetServices<IArtifactGenerator>().Select(g => g.Name).Order(StringComparer.Ordinal);
        var pack = Assert.IsType<TemplatePack>(provider.GetRequiredService<ITemplatePack>());

        Assert.Equal(["kubernetes", "openapi"], names);
        Assert.Equal(["kubernetes", "openapi"], pack.GeneratorNames.Order(StringComparer.Ordinal));
        Assert.IsType<ScribanSkillExecutor>(provider.GetRequiredService<ISkillExecutor>());
    }

    private static string GeneratorManifest(string generator, string path = "hello.txt", string? each = null) =>
        TemplatePackTests.Manifest("x.sbn", path: path)
            .Replace("        template: x.sbn\n", $"        generator: {generator}\n", StringComparison.Ordinal)
            .Replace("        kind: text\n", each is null ? "        kind: text\n" : $"        kind: text\n        each: {each}\n", StringComparison.Ordinal);

    /// <summary>A generator that writes the module, the item and the path, or fails on request.</summary>
    private sealed class EchoGenerator(bool fail = false) : IArtifactGenerator
    {
        public string Name => "echo";

        public string Generate(ArtifactGeneratorContext context) =>
            fail ? throw new InvalidOperationException("echo failed") : $"{context.Input.Module.Name} {context.Item} {context.Path}\r\n";
    }
}
