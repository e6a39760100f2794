using System.Globalization;
using System.Text.RegularExpressions;
using Factory.Blueprints;

namespace Factory.Bench;

/// <summary>A tenant's own copy of a blueprint: its YAML and the names it renamed.</summary>
/// <param name="Yaml">The variant's YAML.</param>
/// <param name="Blueprint">The variant, parsed and validated.</param>
/// <param name="Entities">Original entity name to the variant's.</param>
/// <param name="Modules">Original module name to the variant's.</param>
public sealed record BlueprintVariant(string Yaml, Blueprint Blueprint, IReadOnlyDictionary<string, string> Entities, IReadOnlyDictionary<string, string> Modules);

/// <summary>
/// Makes each tenant's copy of a blueprint differ: every entity (<c>Appointment</c> becomes <c>AppointmentT42</c>) and
/// every module (<c>appointments</c> becomes <c>appointments-t42</c>) is renamed wherever it appears as a whole word, so
/// every generated file of every tenant differs and no cache of identical results can stand in for the work. The
/// compile gate can be switched on or off through the blueprint's own policy.
/// </summary>
public static partial class BlueprintVariants
{
    /// <summary>The variant of <paramref name="yaml"/> for tenant number <paramref name="index"/>.</summary>
    /// <param name="yaml">The blueprint's YAML; must be valid.</param>
    /// <param name="index">The tenant's number (0 or more).</param>
    /// <param name="compileGate">True or false sets <c>policies.rules.compiles</c> to <c>block</c> or <c>off</c>; null leaves it.</param>
    /// <exception cref="ArgumentException">The blueprint or the variant is not valid; the message names every problem.</exception>
    public static BlueprintVariant Create(string yaml, int index, bool? compileGate)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var original = Load(yaml, "the blueprint");
        var suffix = index.ToString(CultureInfo.InvariantCulture);
        var entities = original.Domain.Entities.ToDictionary(e => e.Name, e => $"{e.Name}T{suffix}", StringComparer.Ordinal);
        var modules = original.Modules.ToDictionary(m => m.Name, m => $"{m.Name}-t{suffix}", StringComparer.Ordinal);
        var text = yaml;
        foreach (var (from, to) in entities.Concat(modules).OrderByDescending(p => p.Key.Length))
        {
            text = Regex.Replace(text, $@"(?<![A-Za-z0-9_-]){Regex.Escape(from)}(?![A-Za-z0-9_])", to, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        if (compileGate is { } on)
        {
            text = WithCompileGate(text, on);
        }

        return new BlueprintVariant(text, Load(text, $"the variant for tenant {suffix}"), entities, modules);
    }

    /// <summary>Sets <c>policies.rules.compiles</c> to <c>block</c> (<paramref name="on"/>) or <c>off</c>, adding what is missing.</summary>
    public static string WithCompileGate(string yaml, bool on)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var mode = on ? "block" : "off";
        if (CompilesRule().IsMatch(yaml))
        {
            return CompilesRule().Replace(yaml, $"${{indent}}compiles: {mode}", 1);
        }

        if (RulesLine().Match(yaml) is { Success: true } rules)
        {
            return yaml.Insert(rules.Index + rules.Length, $"\n{rules.Groups["indent"].Value}  compiles: {mode}");
        }

        if (PoliciesLine().Match(yaml) is { Success: true } policies)
        {
            return yaml.Insert(policies.Index + policies.Length, $"\n  rules:\n    compiles: {mode}");
        }

        return yaml.TrimEnd() + $"\npolicies:\n  rules:\n    compiles: {mode}\n";
    }

    private static Blueprint Load(string yaml, string what)
    {
        var loaded = BlueprintLoader.Load(yaml, what);
        return loaded.IsValid && loaded.Blueprint is { } blueprint
            ? blueprint
            : throw new ArgumentException($"{what} is not valid: {string.Join("; ", loaded.Problems.Select(p => p.ToString()))}");
    }

    [GeneratedRegex(@"^(?<indent>[ ]+)compiles:[ ]*[a-z]+[ ]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex CompilesRule();

    [GeneratedRegex(@"^(?<indent>[ ]+)rules:[ ]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex RulesLine();

    [GeneratedRegex(@"^policies:[ ]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PoliciesLine();
}
