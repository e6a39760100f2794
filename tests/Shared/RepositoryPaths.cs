using System.Runtime.CompilerServices;

namespace Factory.Tests;

/// <summary>
/// The repository (the folder holding Factory.sln), found above this source file, the test binaries
/// or the working directory: builds with <c>--artifacts-path</c> put the binaries outside the repository.
/// Linked into every test project by tests/Directory.Build.props.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootValue = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => RootValue.Value;

    /// <summary>The <c>blueprints/</c> folder.</summary>
    public static string Blueprints => Path.Combine(Root, "blueprints");

    /// <summary>The sample blueprint <paramref name="fileName"/>.</summary>
    public static string Sample(string fileName) => Path.Combine(Blueprints, fileName);

    /// <summary>The built-in template pack's folder.</summary>
    public static string Templates => Path.Combine(Blueprints, "templates");

    /// <summary>Copies the built-in template pack into <paramref name="target"/> (an operator's pack to edit); returns it.</summary>
    public static string CopyTemplatePack(string target)
    {
        foreach (var file in Directory.EnumerateFiles(Templates, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(Templates, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    /// <summary>Every sample blueprint, by name.</summary>
    public static IEnumerable<string> SampleFiles() =>
        Directory.EnumerateFiles(Blueprints, "*.yaml", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        string[] starts = [Path.GetDirectoryName(ThisFile()) ?? "", AppContext.BaseDirectory, Directory.GetCurrentDirectory()];
        foreach (var start in starts.Where(s => s.Length > 0))
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"Factory.sln not found above {ThisFile()}, {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
