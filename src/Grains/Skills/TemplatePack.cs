using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Scriban;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Factory.Grains.Skills;

/// <summary>
/// A template pack: <c>pack.yaml</c> (name, version, skills) plus the Scriban templates it names, every one parsed
/// once at load. Immutable and thread-safe. Load the default pack with <see cref="LoadEmbedded()"/>, an operator's
/// override folder (same layout) with <see cref="LoadFromDirectory(string)"/>. An output names either a template or a
/// native <see cref="IArtifactGenerator"/>; generator names are checked at load against the generators the pack is
/// loaded with (the <see cref="BuiltInArtifactGenerators"/> unless others are given).
/// </summary>
public sealed partial class TemplatePack : ITemplatePack
{
    /// <summary>The manifest file at the root of every pack.</summary>
    public const string ManifestFileName = "pack.yaml";

    private const string ResourcePrefix = "templates/";

    private static readonly FrozenSet<string> _eachValues = FrozenSet.ToFrozenSet(["entity", "operation", "event", "environment"], StringComparer.Ordinal);

    private readonly FrozenDictionary<string, CompiledSkill> _skillsById;
    private readonly FrozenDictionary<string, IReadOnlyList<SkillDescriptor>> _skillsByRole;

    private TemplatePack(string name, string version, string origin, IReadOnlyList<CompiledSkill> skills)
    {
        GeneratorNames = skills
            .SelectMany(s => s.Outputs)
            .Select(o => o.Spec.Generator)
            .OfType<string>()
            .ToFrozenSet(StringComparer.Ordinal);
        Name = name;
        Version = version;
        Origin = origin;
        Skills = [.. skills.Select(s => s.Descriptor)];
        _skillsById = skills.ToFrozenDictionary(s => s.Descriptor.Id, StringComparer.Ordinal);
        _skillsByRole = skills
            .GroupBy(s => s.Descriptor.Role, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<SkillDescriptor>)[.. g.Select(s => s.Descriptor)], StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Version { get; }

    /// <summary>Where the pack came from: <c>embedded</c> or the folder it was loaded from (never part of generated output).</summary>
    public string Origin { get; }

    /// <inheritdoc />
    public IReadOnlyList<SkillDescriptor> Skills { get; }

    /// <summary>The names of the native generators the pack's outputs use.</summary>
    public IReadOnlySet<string> GeneratorNames { get; }

    /// <inheritdoc />
    public IReadOnlyList<SkillDescriptor> SkillsFor(string role) =>
        role is not null && _skillsByRole.TryGetValue(role, out var skills) ? skills : [];

    /// <summary>Finds a skill by id.</summary>
    public bool TryGetSkill(string id, [NotNullWhen(true)] out SkillDescriptor? skill)
    {
        skill = id is not null && _skillsById.TryGetValue(id, out var compiled) ? compiled.Descriptor : null;
        return skill is not null;
    }

    /// <summary>Loads the default pack embedded in the <c>Factory.Grains</c> assembly, with the built-in generators.</summary>
    /// <exception cref="TemplatePackException">The embedded pack is invalid.</exception>
    public static TemplatePack LoadEmbedded() => LoadEmbedded(BuiltInArtifactGenerators.All);

    /// <summary>Loads the default pack embedded in the <c>Factory.Grains</c> assembly.</summary>
    /// <param name="generators">The generators registered in the runtime; an output naming another one fails the load.</param>
    /// <exception cref="TemplatePackException">The embedded pack is invalid.</exception>
    public static TemplatePack LoadEmbedded(IEnumerable<IArtifactGenerator> generators)
    {
        var known = GeneratorNameSet(generators);
        var assembly = typeof(TemplatePack).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var normalized = resource.Replace('\\', '/');
            if (!normalized.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            files[normalized[ResourcePrefix.Length..]] = ReadResource(assembly, resource);
        }

        return Load("embedded", known, path => files.TryGetValue(path, out var text) ? text : null);
    }

    /// <summary>Loads a pack from an operator's folder holding <c>pack.yaml</c> and the templates it names, with the built-in generators.</summary>
    /// <param name="path">The pack folder.</param>
    /// <exception cref="TemplatePackException">The pack is invalid; the message names the file and line.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TemplatePack LoadFromDirectory(string path) => LoadFromDirectory(path, BuiltInArtifactGenerators.All);

    /// <summary>Loads a pack from an operator's folder holding <c>pack.yaml</c> and the templates it names.</summary>
    /// <param name="path">The pack folder.</param>
    /// <param name="generators">The generators registered in the runtime; an output naming another one fails the load.</param>
    /// <exception cref="TemplatePackException">The pack is invalid; the message names the file and line.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static TemplatePack LoadFromDirectory(string path, IEnumerable<IArtifactGenerator> generators)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var known = GeneratorNameSet(generators);
        var root = Path.GetFullPath(path);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Template pack folder '{root}' does not exist.");
        }

        return Load(root, known, relative =>
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            var inside = full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            return inside && File.Exists(full) ? File.ReadAllText(full, Encoding.UTF8) : null;
        });
    }

    /// <summary>The compiled form of a skill of this pack (descriptor and parsed templates).</summary>
    internal bool TryGetCompiled(string id, [NotNullWhen(true)] out CompiledSkill? compiled) =>
        _skillsById.TryGetValue(id, out compiled);

    private static FrozenSet<string> GeneratorNameSet(IEnumerable<IArtifactGenerator> generators)
    {
        ArgumentNullException.ThrowIfNull(generators);
        return generators.Select(g => g.Name).ToFrozenSet(StringComparer.Ordinal);
    }

    private static TemplatePack Load(string origin, FrozenSet<string> generators, Func<string, string?> readFile)
    {
        var manifestText = readFile(ManifestFileName)
            ?? throw new TemplatePackException(ManifestFileName, null, $"the pack at '{origin}' has no {ManifestFileName}.");

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(manifestText));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : throw new TemplatePackException(ManifestFileName, 1, "expected exactly one YAML document holding a mapping.");
        }
        catch (YamlException ex)
        {
            throw new TemplatePackException(ManifestFileName, (int)ex.Start.Line, ex.Message, ex);
        }

        var reader = new ManifestReader();
        reader.CheckKeys(root, "name", "version", "description", "skills");
        var name = reader.RequiredString(root, "name");
        if (!PackNamePattern().IsMatch(name))
        {
            throw reader.Error(root["name"], $"pack name '{name}' must be lower-case kebab, e.g. dotnet-service.");
        }

        var version = reader.RequiredSemVer(root, "version");
        var skillsNode = reader.Get(root, "skills") as YamlSequenceNode
            ?? throw reader.Error(root, "'skills' must be a non-empty list.");
        if (skillsNode.Children.Count == 0)
        {
            throw reader.Error(skillsNode, "'skills' must be a non-empty list.");
        }

        var templates = new Dictionary<string, Template>(StringComparer.Ordinal);
        var skills = new List<CompiledSkill>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in skillsNode.Children)
        {
            var skillNode = node as YamlMappingNode ?? throw reader.Error(node, "each skill must be a mapping.");
            reader.CheckKeys(skillNode, "id", "version", "role", "description", "inputs", "outputs");
            var id = reader.RequiredString(skillNode, "id");
            if (!SkillIdPattern().IsMatch(id))
            {
                throw reader.Error(skillNode["id"], $"skill id '{id}' must be dotted lower-case words, e.g. developer.service.");
            }

            if (!ids.Add(id))
            {
                throw reader.Error(skillNode["id"], $"duplicate skill id '{id}'.");
            }

            var role = reader.RequiredString(skillNode, "role");
            if (!AgentRoles.All.Contains(role, StringComparer.Ordinal))
            {
                throw reader.Error(skillNode["role"], $"skill '{id}' has unknown role '{role}'; expected one of {string.Join(", ", AgentRoles.All)}.");
            }

            var outputsNode = reader.Get(skillNode, "outputs") as YamlSequenceNode;
            if (outputsNode is null || outputsNode.Children.Count == 0)
            {
                throw reader.Error(skillNode, $"skill '{id}' must declare a non-empty 'outputs' list.");
            }

            var outputs = new List<CompiledOutput>();
            foreach (var outputNode in outputsNode.Children)
            {
                var output = outputNode as YamlMappingNode ?? throw reader.Error(outputNode, "each output must be a mapping.");
                reader.CheckKeys(output, "path", "template", "generator", "kind", "each");
                var spec = new SkillOutputSpec
                {
                    Path = reader.RequiredString(output, "path"),
                    Template = reader.OptionalString(output, "template")?.Replace('\\', '/'),
                    Generator = reader.OptionalString(output, "generator"),
                    Kind = reader.RequiredString(output, "kind"),
                    Each = reader.OptionalString(output, "each"),
                };
                if (spec.Each is not null && !_eachValues.Contains(spec.Each))
                {
                    throw reader.Error(output["each"], $"'each' must be entity, operation, event or environment, not '{spec.Each}'.");
                }

                Template? body = null;
                switch (spec)
                {
                    case { Template: not null, Generator: not null }:
                        throw reader.Error(output, $"an output of skill '{id}' names both template '{spec.Template}' and generator '{spec.Generator}'; give exactly one.");
                    case { Template: null, Generator: null }:
                        throw reader.Error(output, $"an output of skill '{id}' names neither a template nor a generator; give exactly one.");
                    case { Generator: { } generator }:
                        if (!generators.Contains(generator))
                        {
                            var available = generators.Count == 0 ? "none is registered" : "registered: " + string.Join(", ", generators.Order(StringComparer.Ordinal));
                            throw reader.Error(output["generator"], $"skill '{id}' names generator '{generator}', which is not registered ({available}).");
                        }

                        break;
                    case { Template: { } templatePath }:
                        if (!IsSafeRelativePath(templatePath))
                        {
                            throw reader.Error(output["template"], $"template path '{templatePath}' must be relative to the pack, without '..'.");
                        }

                        if (!templates.TryGetValue(templatePath, out body))
                        {
                            var text = readFile(templatePath)
                                ?? throw reader.Error(output["template"], $"skill '{id}' names template '{templatePath}', which is not in the pack.");
                            body = Parse(text, templatePath);
                            templates.Add(templatePath, body);
                        }

                        break;
                }

                var pathTemplate = Template.Parse(spec.Path, $"{ManifestFileName}:{id}:path");
                if (pathTemplate.HasErrors)
                {
                    throw reader.Error(output["path"], $"output path '{spec.Path}' of skill '{id}' is not a valid template: {pathTemplate.Messages}");
                }

                outputs.Add(new CompiledOutput(spec, pathTemplate, body));
            }

            var descriptor = new SkillDescriptor
            {
                Id = id,
                Version = reader.RequiredSemVer(skillNode, "version"),
                Role = role,
                Description = reader.OptionalString(skillNode, "description") ?? "",
                Inputs = reader.StringList(skillNode, "inputs"),
                Outputs = [.. outputs.Select(o => o.Spec)],
            };
            skills.Add(new CompiledSkill(descriptor, outputs));
        }

        return new TemplatePack(name, version, origin, skills);
    }

    private static Template Parse(string text, string file)
    {
        var template = Template.Parse(text, file);
        if (template.HasErrors)
        {
            var first = template.Messages.FirstOrDefault(m => m.Type == Scriban.Parsing.ParserMessageType.Error)
                ?? template.Messages[0];
            throw new TemplatePackException(file, first.Span.Start.Line + 1, $"template syntax error: {first.Message} ({first})");
        }

        return template;
    }

    private static bool IsSafeRelativePath(string path) =>
        path.Length > 0
        && !path.StartsWith('/')
        && !path.Contains(':', StringComparison.Ordinal)
        && path.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..");

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new TemplatePackException(name, null, "embedded resource could not be opened.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PackNamePattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SkillIdPattern();

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SemVerPattern();

    /// <summary>Reads typed values out of pack.yaml nodes, failing with the file and line.</summary>
    private sealed class ManifestReader
    {
        public TemplatePackException Error(YamlNode node, string message) =>
            new(ManifestFileName, (int)node.Start.Line, message);

        public YamlNode? Get(YamlMappingNode mapping, string key) =>
            mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        public void CheckKeys(YamlMappingNode mapping, params string[] allowed)
        {
            foreach (var key in mapping.Children.Keys)
            {
                if (key is not YamlScalarNode { Value: { } name } || !allowed.Contains(name, StringComparer.Ordinal))
                {
                    throw Error(key, $"unknown key '{key}'; expected one of {string.Join(", ", allowed)}.");
                }
            }
        }

        public string? OptionalString(YamlMappingNode mapping, string key) =>
            Get(mapping, key) switch
            {
                null => null,
                YamlScalarNode { Value: var value } => string.IsNullOrEmpty(value) ? null : value,
                var other => throw Error(other, $"'{key}' must be a string."),
            };

        public string RequiredString(YamlMappingNode mapping, string key) =>
            OptionalString(mapping, key) ?? throw Error(mapping, $"missing required key '{key}'.");

        public string RequiredSemVer(YamlMappingNode mapping, string key)
        {
            var value = RequiredString(mapping, key);
            return SemVerPattern().IsMatch(value)
                ? value
                : throw Error(mapping[key], $"'{key}' must be a semantic version (e.g. 1.0.0), not '{value}'.");
        }

        public IReadOnlyList<string> StringList(YamlMappingNode mapping, string key) =>
            Get(mapping, key) switch
            {
                null => [],
                YamlSequenceNode sequence => [.. sequence.Children.Select(c => c is YamlScalarNode { Value: { } v } ? v : throw Error(c, $"'{key}' must be a list of strings."))],
                var other => throw Error(other, $"'{key}' must be a list of strings."),
            };
    }
}

/// <summary>One output of a compiled skill: its spec, parsed path template and parsed body template (null for a generator).</summary>
internal sealed record CompiledOutput(SkillOutputSpec Spec, Template PathTemplate, Template? Body);

/// <summary>A skill with its parsed templates.</summary>
internal sealed record CompiledSkill(SkillDescriptor Descriptor, IReadOnlyList<CompiledOutput> Outputs);
