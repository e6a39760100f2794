using System.Security.Cryptography;
using Factory.Blueprints;
using Factory.Grains.Skills;

namespace Factory.Grains.Tests.Skills;

/// <summary>Sample blueprints, the embedded pack, and a helper that renders every role of a module in plan order.</summary>
internal static class SkillTestSupport
{
    private static readonly Lazy<TemplatePack> _pack = new(TemplatePack.LoadEmbedded);

    public static TemplatePack Pack => _pack.Value;

    /// <summary>The repository's <c>blueprints/</c> folder.</summary>
    public static string BlueprintsFolder() => RepositoryPaths.Blueprints;

    public static IEnumerable<string> SampleFiles() => RepositoryPaths.SampleFiles();

    public static (Blueprint Blueprint, string Hash) LoadSample(string file)
    {
        var result = BlueprintLoader.Load(File.ReadAllText(file), Path.GetFileName(file));
        Assert.True(result.IsValid, $"{file}: {string.Join("; ", result.Problems.Select(p => p.ToString()))}");
        Assert.NotNull(result.Blueprint);
        Assert.NotNull(result.Hash);
        return (result.Blueprint, result.Hash);
    }

    public static string Sha256(ReadOnlyMemory<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content.Span));

    /// <summary>Renders every skill of every role for one module, feeding each role the artifacts of the roles before it.</summary>
    public static IReadOnlyList<GeneratedFile> RenderModule(ISkillExecutor executor, ITemplatePack pack, Blueprint blueprint, string hash, ModuleSpec module,
        IReadOnlyDictionary<string, string>? handlerBodies = null)
    {
        var all = new List<(GeneratedFile File, SkillDescriptor Skill)>();
        foreach (var role in AgentRoles.All)
        {
            var upstream = all
                .Select(a => new UpstreamArtifact(a.File.Path, a.File.Kind, Sha256(a.File.Content), a.File.Content.Length, a.Skill.Id, a.Skill.Role))
                .OrderBy(a => a.Path, StringComparer.Ordinal)
                .ToList();
            var input = new SkillInput { Blueprint = blueprint, BlueprintHash = hash, Module = module, Upstream = upstream };
            if (handlerBodies is not null)
            {
                input = input with { HandlerBodies = handlerBodies };
            }

            foreach (var skill in pack.SkillsFor(role))
            {
                all.AddRange(executor.Execute(skill, input).Select(f => (f, skill)));
            }
        }

        return [.. all.Select(a => a.File)];
    }

    /// <summary>Writes rendered files under <paramref name="root"/>.</summary>
    public static void WriteTo(string root, IEnumerable<GeneratedFile> files)
    {
        foreach (var file in files)
        {
            var target = Path.Combine(root, file.Path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target) ?? root);
            File.WriteAllBytes(target, file.Content.ToArray());
        }
    }
}
