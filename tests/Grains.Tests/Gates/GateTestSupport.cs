using System.Text;
using Factory.Blueprints;
using Factory.Grains.Gates;
using Factory.Grains.Skills;
using Factory.Grains.Tests.Skills;

namespace Factory.Grains.Tests.Gates;

/// <summary>Gate contexts built from the clinic sample rendered with the real template pack, and ways to break them.</summary>
internal static class GateTestSupport
{
    private static readonly Lazy<(Blueprint Blueprint, string Hash)> _clinic = new(ScribanSkillExecutorTests.ClinicSample);
    private static readonly Lazy<Dictionary<string, IReadOnlyList<GateArtifact>>> _rendered = new(RenderClinic);

    public static Blueprint Clinic => _clinic.Value.Blueprint;

    /// <summary>The context of one clinic module with its rendered artifacts.</summary>
    public static GateContext ClinicContext(string module = "appointments") => new()
    {
        Blueprint = Clinic,
        BlueprintHash = _clinic.Value.Hash,
        Module = Clinic.Modules.Single(m => m.Name == module),
        Artifacts = _rendered.Value[module],
    };

    public static GateArtifact Artifact(string path, string text, string kind = "csharp") => new(path, kind, Encoding.UTF8.GetBytes(text));

    public static string Text(GateArtifact artifact) => Encoding.UTF8.GetString(artifact.Content.Span);

    /// <summary>The path of the single artifact whose path ends with <paramref name="suffix"/>.</summary>
    public static string PathEndingWith(GateContext context, string suffix) =>
        context.Artifacts.Single(a => a.Path.EndsWith(suffix, StringComparison.Ordinal)).Path;

    /// <summary>Replaces the text of the artifact ending with <paramref name="suffix"/>; the edit must change it.</summary>
    public static GateContext Edit(GateContext context, string suffix, Func<string, string> edit)
    {
        var path = PathEndingWith(context, suffix);
        var artifacts = context.Artifacts
            .Select(a =>
            {
                if (a.Path != path)
                {
                    return a;
                }

                var before = Text(a);
                var after = edit(before);
                Assert.NotEqual(before, after);
                return a with { Content = Encoding.UTF8.GetBytes(after) };
            })
            .ToList();
        return context with { Artifacts = artifacts };
    }

    /// <summary>Replaces the first occurrence of <paramref name="old"/> (which must be there).</summary>
    public static string ReplaceOnce(string text, string old, string replacement)
    {
        var index = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(index >= 0, $"`{old}` not found");
        return string.Concat(text.AsSpan(0, index), replacement, text.AsSpan(index + old.Length));
    }

    /// <summary>Adds artifacts, keeping the list ordered by path.</summary>
    public static GateContext Add(GateContext context, params GateArtifact[] artifacts) =>
        context with { Artifacts = [.. context.Artifacts.Concat(artifacts).OrderBy(a => a.Path, StringComparer.Ordinal)] };

    /// <summary>The 1-based line of the first occurrence of <paramref name="needle"/> in an artifact.</summary>
    public static int LineOf(GateContext context, string path, string needle)
    {
        var lines = Text(context.Artifacts.Single(a => a.Path == path)).Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(needle, StringComparison.Ordinal));
        Assert.True(index >= 0, $"`{needle}` not in {path}");
        return index + 1;
    }

    /// <summary>The module with one operation replaced, in the blueprint too.</summary>
    public static GateContext WithOperation(GateContext context, int index, Func<OperationSpec, OperationSpec> change)
    {
        var operations = context.Module.Operations.Select((o, i) => i == index ? change(o) : o).ToList();
        return WithModule(context, context.Module with { Operations = operations });
    }

    /// <summary>Replaces the context's module (matched by name) in the module and in the blueprint.</summary>
    public static GateContext WithModule(GateContext context, ModuleSpec module) => context with
    {
        Module = module,
        Blueprint = context.Blueprint with { Modules = [.. context.Blueprint.Modules.Select(m => m.Name == module.Name ? module : m)] },
    };

    public static async Task<GateFinding> RunAsync(IGate gate, GateContext context) => await gate.EvaluateAsync(context, CancellationToken.None);

    private static Dictionary<string, IReadOnlyList<GateArtifact>> RenderClinic()
    {
        var (blueprint, hash) = _clinic.Value;
        var executor = new ScribanSkillExecutor(SkillTestSupport.Pack);
        return blueprint.Modules.ToDictionary(
            m => m.Name,
            m => (IReadOnlyList<GateArtifact>)[.. SkillTestSupport.RenderModule(executor, SkillTestSupport.Pack, blueprint, hash, m)
                .Select(f => new GateArtifact(f.Path, f.Kind, f.Content))
                .OrderBy(a => a.Path, StringComparer.Ordinal)],
            StringComparer.Ordinal);
    }
}
