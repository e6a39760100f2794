using System.Collections.Frozen;
using System.Text;
using Scriban;
using Scriban.Runtime;

namespace Factory.Grains.Skills;

/// <summary>
/// Renders template skills with Scriban. Templates come pre-parsed from a <see cref="TemplatePack"/>; each call
/// builds the module's view model once and renders every output with one <see cref="TemplateContext"/>. Outputs
/// that name a native generator get their path from the view model and their content from that
/// <see cref="IArtifactGenerator"/>. Thread-safe: nothing mutable is shared between calls.
/// </summary>
public sealed class ScribanSkillExecutor : ISkillExecutor
{
    /// <summary>Most iterations a single loop of a template may run.</summary>
    public const int LoopLimit = 10_000;

    /// <summary>Deepest function recursion a template may reach.</summary>
    public const int RecursiveLimit = 64;

    private static readonly UTF8Encoding _utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly ScriptObject _builtins = CreateBuiltins();

    private readonly TemplatePack _pack;
    private readonly FrozenDictionary<string, IArtifactGenerator> _generators;

    /// <summary>Creates an executor over a loaded pack, with the <see cref="BuiltInArtifactGenerators"/>.</summary>
    /// <param name="pack">A pack from <see cref="TemplatePack.LoadEmbedded()"/> or <see cref="TemplatePack.LoadFromDirectory(string)"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="pack"/> is not a <see cref="TemplatePack"/>, or uses a generator that is not built in.</exception>
    public ScribanSkillExecutor(ITemplatePack pack)
        : this(pack, BuiltInArtifactGenerators.All)
    {
    }

    /// <summary>Creates an executor over a loaded pack and the generators registered in the runtime.</summary>
    /// <param name="pack">A pack from <see cref="TemplatePack.LoadEmbedded(IEnumerable{IArtifactGenerator})"/> or <see cref="TemplatePack.LoadFromDirectory(string, IEnumerable{IArtifactGenerator})"/>.</param>
    /// <param name="generators">The native generators; names must be unique and include every generator the pack uses.</param>
    /// <exception cref="ArgumentException"><paramref name="pack"/> is not a <see cref="TemplatePack"/>, two generators share a name, or the pack uses a generator not given.</exception>
    public ScribanSkillExecutor(ITemplatePack pack, IEnumerable<IArtifactGenerator> generators)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(generators);
        _pack = pack as TemplatePack
            ?? throw new ArgumentException($"The Scriban executor needs a {nameof(TemplatePack)}, not {pack.GetType().Name}.", nameof(pack));
        var byName = new Dictionary<string, IArtifactGenerator>(StringComparer.Ordinal);
        foreach (var generator in generators)
        {
            if (!byName.TryAdd(generator.Name, generator))
            {
                throw new ArgumentException($"Two artifact generators are named '{generator.Name}' ({byName[generator.Name].GetType().Name}, {generator.GetType().Name}).", nameof(generators));
            }
        }

        var missing = _pack.GeneratorNames.Where(n => !byName.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Template pack '{_pack.Name}' uses generator(s) {string.Join(", ", missing)}, which are not registered.", nameof(generators));
        }

        _generators = byName.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The pack this executor renders from.</summary>
    public ITemplatePack Pack => _pack;

    /// <inheritdoc />
    public IReadOnlyList<GeneratedFile> Execute(SkillDescriptor skill, SkillInput input)
    {
        ArgumentNullException.ThrowIfNull(skill);
        ArgumentNullException.ThrowIfNull(input);
        if (!_pack.TryGetCompiled(skill.Id, out var compiled))
        {
            throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}' is not in template pack '{_pack.Name}' {_pack.Version}.");
        }

        var model = SkillViewModel.Build(compiled.Descriptor, input, _pack.Name, _pack.Version);
        var context = CreateContext(model);
        var files = new List<GeneratedFile>();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in compiled.Outputs)
        {
            foreach (var scope in ItemScopes(output.Spec, model, compiled.Descriptor.Id))
            {
                var path = Render(context, scope, output.PathTemplate, compiled.Descriptor.Id, $"path of {output.Spec.Source}").Trim();
                ValidatePath(path, compiled.Descriptor.Id, output.Spec);
                if (!paths.Add(path))
                {
                    throw new SkillExecutionException(compiled.Descriptor.Id, $"Skill '{compiled.Descriptor.Id}' renders '{path}' twice ({output.Spec.Source}).");
                }

                var text = output.Body is { } body
                    ? Render(context, scope, body, compiled.Descriptor.Id, output.Spec.Source)
                    : Generate(compiled.Descriptor, output.Spec, input, path, scope);
                files.Add(new GeneratedFile(path, output.Spec.Kind, _utf8.GetBytes(NormalizeNewLines(text))));
            }
        }

        return files;
    }

    private string Generate(SkillDescriptor skill, SkillOutputSpec spec, SkillInput input, string path, ScriptObject scope)
    {
        var generatorName = spec.Generator ?? throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}': output '{spec.Path}' has neither template nor generator.");
        if (!_generators.TryGetValue(generatorName, out var generator))
        {
            throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}' names generator '{generatorName}', which is not registered.");
        }

        var item = spec.Each is { } each && scope[each] is ScriptObject current ? current["name"] as string : null;
        var context = new ArtifactGeneratorContext
        {
            Skill = skill,
            Output = spec,
            Input = input,
            Path = path,
            Item = item,
            PackName = _pack.Name,
            PackVersion = _pack.Version,
        };
        try
        {
            return generator.Generate(context);
        }
        catch (Exception ex) when (ex is not (SkillExecutionException or OutOfMemoryException or OperationCanceledException))
        {
            throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}' failed generating '{path}' with generator '{generatorName}': {ex.Message}", ex);
        }
    }

    private static IEnumerable<ScriptObject> ItemScopes(SkillOutputSpec spec, ScriptObject model, string skillId)
    {
        if (spec.Each is null)
        {
            yield return [];
            yield break;
        }

        var collection = spec.Each switch
        {
            "entity" => "entities",
            "operation" => "operations",
            "event" => "publishes",
            "environment" => "environments",
            _ => throw new SkillExecutionException(skillId, $"Skill '{skillId}': unknown 'each' value '{spec.Each}'."),
        };
        foreach (var item in model[collection] as ScriptArray ?? [])
        {
            yield return new ScriptObject { [spec.Each] = item };
        }
    }

    private static string Render(TemplateContext context, ScriptObject scope, Template template, string skillId, string what)
    {
        context.PushGlobal(scope);
        context.PushOutput();
        try
        {
            return template.Render(context) ?? "";
        }
        catch (Exception ex) when (ex is not (SkillExecutionException or OutOfMemoryException or OperationCanceledException))
        {
            throw new SkillExecutionException(skillId, $"Skill '{skillId}' failed rendering {what}: {ex.Message}", ex);
        }
        finally
        {
            context.PopOutput();
            context.PopGlobal();
        }
    }

    private static TemplateContext CreateContext(ScriptObject model)
    {
        var context = new TemplateContext(_builtins)
        {
            LoopLimit = LoopLimit,
            RecursiveLimit = RecursiveLimit,
            StrictVariables = true,
            NewLine = "\n",
            EnableRelaxedMemberAccess = true,
            TemplateLoader = null,
        };
        context.PushGlobal(TemplateFunctions.Shared);
        context.PushGlobal(model);
        return context;
    }

    private static ScriptObject CreateBuiltins()
    {
        var builtins = TemplateContext.GetDefaultBuiltinObject();
        builtins.IsReadOnly = true;
        return builtins;
    }

    private static string NormalizeNewLines(string text) =>
        text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;

    private static void ValidatePath(string path, string skillId, SkillOutputSpec spec)
    {
        var problem = path switch
        {
            "" => "is empty",
            _ when path.Contains('\\', StringComparison.Ordinal) => "contains a backslash",
            _ when path.StartsWith('/') || path.Contains(':', StringComparison.Ordinal) => "is rooted",
            _ when path.Any(char.IsControl) => "contains a control character",
            _ when path.Split('/').Any(s => s.Length == 0 || s == "." || s == "..") => "has an empty, '.' or '..' segment",
            _ => null,
        };
        if (problem is not null)
        {
            throw new SkillExecutionException(skillId, $"Skill '{skillId}' rendered output path {TemplateFunctions.CSharpString(path)} ({spec.Source}), which {problem}; paths must be relative with forward slashes.");
        }
    }
}
