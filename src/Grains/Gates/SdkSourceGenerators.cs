using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Factory.Grains.Gates;

/// <summary>
/// The source generators a Web SDK build of a net10.0 project runs by default ([LoggerMessage], JSON,
/// [GeneratedRegex], options validation, the public <c>Program</c> class, validations), loaded from the
/// targeting packs of the .NET installation the process runs on. Opt-in generators (request delegates,
/// configuration binding) and interop generators are left out. Where no targeting pack is installed
/// (a runtime-only image), the set is empty.
/// </summary>
internal static class SdkSourceGenerators
{
    private static readonly (string Pack, string[] Assemblies)[] Wanted =
    [
        ("Microsoft.NETCore.App.Ref", ["System.Text.Json.SourceGeneration.dll", "System.Text.RegularExpressions.Generator.dll"]),
        ("Microsoft.AspNetCore.App.Ref", [
            "Microsoft.Extensions.Logging.Generators.dll",
            "Microsoft.Extensions.Options.SourceGeneration.dll",
            "Microsoft.AspNetCore.App.SourceGenerators.dll",
            "Microsoft.Extensions.Validation.ValidationsGenerator.dll",
        ]),
    ];

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Loaded = new(Load);

    /// <summary>The generators, loaded once.</summary>
    public static ImmutableArray<ISourceGenerator> All => Loaded.Value;

    private static ImmutableArray<ISourceGenerator> Load()
    {
        // {root}/shared/Microsoft.NETCore.App/{version}/ -> {root}
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var root = runtime.Parent?.Parent?.Parent;
        if (root is null)
        {
            return [];
        }

        var loader = new Loader();
        var generators = ImmutableArray.CreateBuilder<ISourceGenerator>();
        foreach (var (pack, assemblies) in Wanted)
        {
            if (PackFolder(Path.Combine(root.FullName, "packs", pack)) is not { } folder)
            {
                continue;
            }

            foreach (var assembly in assemblies)
            {
                var path = Path.Combine(folder, "analyzers", "dotnet", "cs", assembly);
                if (File.Exists(path))
                {
                    generators.AddRange(new AnalyzerFileReference(path, loader).GetGenerators(LanguageNames.CSharp));
                }
            }
        }

        return generators.ToImmutable();
    }

    /// <summary>The pack's folder for the running runtime's major.minor version (the highest patch installed).</summary>
    private static string? PackFolder(string pack)
    {
        if (!Directory.Exists(pack))
        {
            return null;
        }

        var prefix = $"{Environment.Version.Major}.{Environment.Version.Minor}.";
        return Directory.GetDirectories(pack)
            .Select(d => (Path: d, Name: Path.GetFileName(d)))
            .Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal) && Version.TryParse(d.Name, out _))
            .OrderByDescending(d => Version.Parse(d.Name))
            .Select(d => d.Path)
            .FirstOrDefault();
    }

    /// <summary>Loads generator assemblies into the default context, where they bind to the process's Roslyn.</summary>
    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
    }
}
