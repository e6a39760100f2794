using Factory.Blueprints;

namespace Factory.Grains.Tests;

/// <summary>The repository's sample blueprints.</summary>
public static class Samples
{
    public static string BlueprintsFolder => RepositoryPaths.Blueprints;

    public static IEnumerable<object[]> Names() =>
        RepositoryPaths.SampleFiles().Select(f => new object[] { Path.GetFileName(f) });

    /// <summary>The canonical JSON of a valid sample.</summary>
    public static string CanonicalJson(string fileName)
    {
        var result = BlueprintLoader.LoadFile(Path.Combine(BlueprintsFolder, fileName));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Problems));
        return result.CanonicalJson!;
    }
}
