using System.Runtime.CompilerServices;
using Factory.Blueprints;

namespace Factory.Grains.Tests;

/// <summary>The repository's sample blueprints.</summary>
public static class Samples
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string BlueprintsFolder => Path.Combine(RepositoryRoot, "blueprints");

    public static IEnumerable<object[]> Names() =>
        Directory.GetFiles(BlueprintsFolder, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(n => new object[] { n! });

    /// <summary>The canonical JSON of a valid sample.</summary>
    public static string CanonicalJson(string fileName)
    {
        var result = BlueprintLoader.LoadFile(Path.Combine(BlueprintsFolder, fileName));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        return result.CanonicalJson!;
    }

    /// <summary>The folder holding Factory.sln: above the test binaries, or above this source file when the build output lives elsewhere.</summary>
    private static string FindRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No Factory.sln above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
