using System.Text;
using System.Text.Json;
using Factory.Blueprints;
using Factory.Grains.Skills;
using YamlDotNet.RepresentationModel;

namespace Factory.Grains.Tests.Skills;

public sealed class ScribanSkillExecutorTests
{
    internal const string Injection = "\"; System.Diagnostics.Process.Start(\"x\"); //";
    private const string LineInjection = "ok */\n    System.Diagnostics.Process.Start(\"y\");\n// <summary> ]]> --- \u2028 Process.Start(\"z\");";

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in SkillTestSupport.SampleFiles())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySkillRendersEveryModuleOfTheSampleDeterministically(string sample)
    {
        var (blueprint, hash) = SkillTestSupport.LoadSample(Path.Combine(SkillTestSupport.BlueprintsFolder(), sample));
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);

        foreach (var module in blueprint.Modules)
        {
            var first = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, module);
            var second = SkillTestSupport.RenderModule(new ScribanSkillExecutor(TemplatePack.LoadEmbedded()), SkillTestSupport.Pack, blueprint, hash, module);

            Assert.Equal(first.Select(f => f.Path), second.Select(f => f.Path));
            for (var i = 0; i < first.Count; i++)
            {
                Assert.True(first[i].Content.Span.SequenceEqual(second[i].Content.Span), $"{module.Name}/{first[i].Path} differs between two renders.");
            }

            Assert.Contains(first, f => f.Path.EndsWith(".slnx", StringComparison.Ordinal));
            Assert.Contains(first, f => f.Path == "release/manifest.json");
            foreach (var file in first)
            {
                AssertWellFormed(module, file);
            }
        }
    }

    [Fact]
    public void RenderingConcurrentlyGivesTheSameBytesAsSequentially()
    {
        var (blueprint, hash) = ClinicSample();
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var module = blueprint.Modules[0];
        var expected = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, module);

        var results = new IReadOnlyList<GeneratedFile>[16];
        Parallel.For(0, results.Length, i => results[i] = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, module));

        foreach (var result in results)
        {
            Assert.Equal(expected.Select(f => SkillTestSupport.Sha256(f.Content)), result.Select(f => SkillTestSupport.Sha256(f.Content)));
        }
    }

    [Fact]
    public void InjectionInDescriptionsComesOutInert()
    {
        var (blueprint, hash) = InjectedClinic(Injection + LineInjection);
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);

        var files = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, blueprint.Modules[0]);

        var csharp = files.Where(f => f.Path.EndsWith(".cs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(csharp);
        foreach (var file in files)
        {
            var text = Encoding.UTF8.GetString(file.Content.Span);
            if (csharp.Contains(file))
            {
                // In C# the text may only appear escaped (string literal) or entity-encoded (XML doc comment).
                Assert.DoesNotContain(Injection, text, StringComparison.Ordinal);
                Assert.DoesNotContain("Process.Start(\"y\")", text, StringComparison.Ordinal);
            }

            Assert.DoesNotContain('\u2028', text);
            Assert.DoesNotContain(text.Split('\n'), line => line.TrimStart().StartsWith("System.Diagnostics.Process.Start", StringComparison.Ordinal));
        }

        // The description still arrives, escaped, where it is meant to: a C# string literal and YAML/JSON strings.
        var endpoints = Encoding.UTF8.GetString(files.Single(f => f.Path.EndsWith("Endpoints.cs", StringComparison.Ordinal)).Content.Span);
        Assert.Contains(TemplateFunctions.CSharpString(Injection + LineInjection), endpoints, StringComparison.Ordinal);
        AssertParses(files.Single(f => f.Path == "contracts/openapi.yaml"));
        foreach (var json in files.Where(f => f.Path.EndsWith(".json", StringComparison.Ordinal)))
        {
            AssertParses(json);
        }
    }

    [Fact]
    public void TemplateThatFailsAtRenderSurfacesSkillExecutionExceptionWithTheSkillId()
    {
        var pack = PackFromFolder(TemplatePackTests.Manifest("bad.sbn"), ("bad.sbn", "before {{ no_such_function 42 }} after"));
        var executor = new ScribanSkillExecutor(pack);
        var (blueprint, hash) = ClinicSample();

        var error = Assert.Throws<SkillExecutionException>(() => executor.Execute(pack.Skills[0], Input(blueprint, hash)));

        Assert.Equal("docs.hello", error.SkillId);
        Assert.Contains("docs.hello", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad.sbn", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../{{ module.name }}.txt")]
    [InlineData("/etc/{{ module.name }}")]
    [InlineData("docs\\\\{{ module.name }}.txt")]
    [InlineData("a//b.txt")]
    [InlineData("C:/x.txt")]
    public void UnsafeOutputPathIsRejected(string path)
    {
        var pack = PackFromFolder(TemplatePackTests.Manifest("ok.sbn", path: $"\"{path}\""), ("ok.sbn", "fine"));
        var executor = new ScribanSkillExecutor(pack);
        var (blueprint, hash) = ClinicSample();

        var error = Assert.Throws<SkillExecutionException>(() => executor.Execute(pack.Skills[0], Input(blueprint, hash)));

        Assert.Equal("docs.hello", error.SkillId);
    }

    [Fact]
    public void SkillFromAnotherPackIsRejected()
    {
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var (blueprint, hash) = ClinicSample();
        var stranger = new SkillDescriptor { Id = "docs.stranger", Version = "1.0.0", Role = AgentRoles.Docs, Outputs = [] };

        var error = Assert.Throws<SkillExecutionException>(() => executor.Execute(stranger, Input(blueprint, hash)));

        Assert.Equal("docs.stranger", error.SkillId);
    }

    [Fact]
    public void UnsafeIdentifierIsRefusedBeforeItReachesCode()
    {
        var (blueprint, hash) = ClinicSample();
        var entity = blueprint.Domain.Entities[0];
        var fields = entity.Fields.Select((f, i) => i == 1 ? f with { Name = "x); Process.Start(\"y" } : f).ToList();
        var tampered = blueprint with { Domain = blueprint.Domain with { Entities = [entity with { Fields = fields }, .. blueprint.Domain.Entities.Skip(1)] } };
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var developer = SkillTestSupport.Pack.SkillsFor(AgentRoles.Developer)[0];

        var error = Assert.Throws<SkillExecutionException>(() => executor.Execute(developer, Input(tampered, hash)));

        Assert.Contains("not a safe identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReleaseManifestListsEveryUpstreamArtifact()
    {
        var (blueprint, hash) = ClinicSample();
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        var files = SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, blueprint.Modules[0]);

        using var manifest = JsonDocument.Parse(files.Single(f => f.Path == "release/manifest.json").Content);
        var paths = manifest.RootElement.GetProperty("artifacts").EnumerateArray().Select(a => a.GetProperty("path").GetString() ?? "").ToList();
        Assert.Equal(paths.Order(StringComparer.Ordinal), paths);
        Assert.Contains("contracts/openapi.yaml", paths);
        Assert.Equal(files.Count - 1, paths.Count);
        Assert.Equal(hash, manifest.RootElement.GetProperty("blueprint").GetProperty("hash").GetString());
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("quote \" backslash \\ newline \n tab \t cr \r")]
    [InlineData("yaml: # comment - [flow] {map} & *alias ! | > % @ `")]
    [InlineData("unicode \u2028 \u2029 \u0085 \u0000 \u001f é 漢字 😀")]
    public void EscapersRoundTripThroughTheirParsers(string text)
    {
        Assert.Equal(text, JsonSerializer.Deserialize<string>(TemplateFunctions.JsonString(text)));

        var yaml = new YamlStream();
        yaml.Load(new StringReader("value: " + TemplateFunctions.YamlString(text)));
        var value = ((YamlScalarNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("value")]).Value;
        Assert.Equal(text, value);

        var csharp = TemplateFunctions.CSharpString(text);
        Assert.DoesNotContain('\n', csharp);
        Assert.DoesNotContain('\r', csharp);
        Assert.DoesNotContain('\u2028', csharp);
        Assert.Equal(text, System.Text.RegularExpressions.Regex.Unescape(csharp[1..^1]));

        var comment = TemplateFunctions.CommentText(text);
        Assert.DoesNotContain(comment, c => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085');
    }

    [Theory]
    [InlineData("BookAppointment", "BookAppointment", "bookAppointment", "book-appointment", "book_appointment")]
    [InlineData("clinic-appointments", "ClinicAppointments", "clinicAppointments", "clinic-appointments", "clinic_appointments")]
    [InlineData("patientName", "PatientName", "patientName", "patient-name", "patient_name")]
    [InlineData("HTTPServer2Go", "HttpServer2Go", "httpServer2Go", "http-server2-go", "http_server2_go")]
    public void NamingHelpersConvertBetweenCases(string input, string pascal, string camel, string kebab, string snake)
    {
        Assert.Equal(pascal, TemplateFunctions.Pascal(input));
        Assert.Equal(camel, TemplateFunctions.Camel(input));
        Assert.Equal(kebab, TemplateFunctions.Kebab(input));
        Assert.Equal(snake, TemplateFunctions.Snake(input));
    }

    internal static (Blueprint Blueprint, string Hash) ClinicSample() =>
        SkillTestSupport.LoadSample(Path.Combine(SkillTestSupport.BlueprintsFolder(), "clinic-appointments.yaml"));

    internal static (Blueprint Blueprint, string Hash) InjectedClinic(string text)
    {
        var (blueprint, hash) = ClinicSample();
        var entities = blueprint.Domain.Entities
            .Select(e => e with { Description = text, Fields = [.. e.Fields.Select(f => f with { Description = text })] })
            .ToList();
        var events = blueprint.Domain.Events.Select(e => e with { Description = text }).ToList();
        var modules = blueprint.Modules
            .Select(m => m with { Description = text, Operations = [.. m.Operations.Select(o => o with { Description = text })] })
            .ToList();
        var injected = blueprint with
        {
            Metadata = blueprint.Metadata with { Description = text },
            Domain = blueprint.Domain with { Entities = entities, Events = events },
            Modules = modules,
            Secrets = [.. blueprint.Secrets.Select(s => s with { Ref = "vault://x\"\n- evil: " + text })],
        };
        return (injected, hash);
    }

    private static SkillInput Input(Blueprint blueprint, string hash) =>
        new() { Blueprint = blueprint, BlueprintHash = hash, Module = blueprint.Modules[0] };

    private static TemplatePack PackFromFolder(string manifest, params (string Path, string Text)[] templates)
    {
        using var folder = new TemplatePackTests();
        folder.WritePack(manifest, templates);
        return TemplatePack.LoadFromDirectory(folder.Folder);
    }

    private static void AssertWellFormed(ModuleSpec module, GeneratedFile file)
    {
        var where = $"{module.Name}/{file.Path}";
        Assert.False(file.Path.StartsWith('/') || file.Path.Contains('\\', StringComparison.Ordinal) || file.Path.Contains("..", StringComparison.Ordinal), where);
        var bytes = file.Content.Span;
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, $"{where} starts with a BOM.");
        var text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain('\r', text);
        foreach (var machinePath in new[] { "/work/", "/tmp/", "/home/", "/Users/", ":\\", Path.GetTempPath(), Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            Assert.DoesNotContain(machinePath, text, StringComparison.Ordinal);
        }

        if (file.Path.EndsWith(".json", StringComparison.Ordinal) || file.Path.EndsWith(".yaml", StringComparison.Ordinal) || file.Path.EndsWith(".yml", StringComparison.Ordinal))
        {
            AssertParses(file);
        }
    }

    private static void AssertParses(GeneratedFile file)
    {
        var text = Encoding.UTF8.GetString(file.Content.Span);
        if (file.Path.EndsWith(".json", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(text);
            return;
        }

        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        Assert.NotEmpty(yaml.Documents);
    }
}
