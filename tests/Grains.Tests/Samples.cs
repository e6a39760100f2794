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

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Factory.sln above {AppContext.BaseDirectory}.");
    }
}
