using System.Text;
using Scriban;
using Scriban.Runtime;

namespace Factory.Grains.Skills;

/// <summary>
/// Renders template skills with Scriban. Templates come pre-parsed from a <see cref="TemplatePack"/>; each call
/// builds the module's view model once and renders every output with one <see cref="TemplateContext"/>.
/// Thread-safe: nothing mutable is shared between calls.
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

    /// <summary>Creates an executor over a loaded pack.</summary>
    /// <param name="pack">A pack from <see cref="TemplatePack.LoadEmbedded"/> or <see cref="TemplatePack.LoadFromDirectory"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="pack"/> is not a <see cref="TemplatePack"/> (its parsed templates are needed).</exception>
    public ScribanSkillExecutor(ITemplatePack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        _pack = pack as TemplatePack
            ?? throw new ArgumentException($"The Scriban executor needs a {nameof(TemplatePack)}, not {pack.GetType().Name}.", nameof(pack));
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
                var path = Render(context, scope, output.PathTemplate, compiled.Descriptor.Id, $"path of {output.Spec.Template}").Trim();
                ValidatePath(path, compiled.Descriptor.Id, output.Spec);
                if (!paths.Add(path))
                {
                    throw new SkillExecutionException(compiled.Descriptor.Id, $"Skill '{compiled.Descriptor.Id}' renders '{path}' twice (template '{output.Spec.Template}').");
                }

                var text = Render(context, scope, output.Body, compiled.Descriptor.Id, output.Spec.Template);
                files.Add(new GeneratedFile(path, output.Spec.Kind, _utf8.GetBytes(NormalizeNewLines(text))));
            }
        }

        return files;
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
            throw new SkillExecutionException(skillId, $"Skill '{skillId}' rendered output path {TemplateFunctions.CSharpString(path)} (template '{spec.Template}'), which {problem}; paths must be relative with forward slashes.");
        }
    }
}
