using System.Runtime.CompilerServices;

namespace Factory.Blueprints.Tests;

/// <summary>
/// Locates the repository (the folder holding Factory.sln) by walking up from this source file (builds with
/// <c>--artifacts-path</c> put the binaries outside the repository), then from the binaries and the working directory.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootValue = new(FindRoot);

    public static string Root => RootValue.Value;

    public static string Blueprints => Path.Combine(Root, "blueprints");

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

        throw new InvalidOperationException("Factory.sln not found above " + AppContext.BaseDirectory);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
