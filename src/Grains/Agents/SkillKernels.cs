using System.Collections.Concurrent;
using Factory.Grains.Skills;
using Microsoft.SemanticKernel;

namespace Factory.Grains.Agents;

/// <summary>
/// Builds each role's Semantic Kernel plugin once (one native function per template skill) and
/// hands agents a <see cref="Kernel"/> whose plugins are their role's skills. Renders run under the
/// <see cref="SkillThrottle"/>.
/// </summary>
public sealed class SkillKernels(ITemplatePack pack, ISkillExecutor executor, SkillThrottle throttle)
{
    private const string InputArgument = "input";
    private readonly ConcurrentDictionary<string, KernelPlugin> _plugins = new(StringComparer.Ordinal);

    /// <summary>The template pack the skills come from.</summary>
    public ITemplatePack Pack => pack;

    /// <summary>A kernel whose only plugin is <paramref name="role"/>'s skills.</summary>
    public Kernel CreateKernel(string role) => new(services: null, plugins: new KernelPluginCollection([PluginFor(role)]));

    /// <summary>Invokes <paramref name="skill"/> through <paramref name="kernel"/> and returns the files it generated.</summary>
    public async Task<IReadOnlyList<GeneratedFile>> InvokeAsync(Kernel kernel, SkillDescriptor skill, SkillInput input, CancellationToken cancellationToken)
    {
        var function = kernel.Plugins.GetFunction(skill.Role, FunctionName(skill.Id));
        var result = await kernel.InvokeAsync(function, new KernelArguments { [InputArgument] = input }, cancellationToken);
        return result.GetValue<IReadOnlyList<GeneratedFile>>()
            ?? throw new SkillExecutionException(skill.Id, $"Skill '{skill.Id}' returned no output.");
    }

    private KernelPlugin PluginFor(string role) => _plugins.GetOrAdd(role, r => KernelPluginFactory.CreateFromFunctions(
        r,
        $"Template skills of the {r} role.",
        pack.SkillsFor(r).Select(skill => KernelFunctionFactory.CreateFromMethod(
            (KernelArguments arguments, CancellationToken cancellationToken) =>
                throttle.RunAsync(() => executor.Execute(skill, (SkillInput)arguments[InputArgument]!), cancellationToken),
            FunctionName(skill.Id),
            $"{skill.Description} ({skill.Id}@{skill.Version})"))));

    /// <summary>Kernel function names allow letters, digits and underscores.</summary>
    private static string FunctionName(string skillId) =>
        string.Create(skillId.Length, skillId, static (span, id) =>
        {
            for (var i = 0; i < id.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(id[i]) ? id[i] : '_';
            }
        });
}
