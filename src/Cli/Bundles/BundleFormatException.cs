namespace Factory.Cli.Bundles;

/// <summary>A trace bundle that cannot be used: an entry is missing, malformed, or does not match the manifest.</summary>
internal sealed class BundleFormatException : Exception
{
    public BundleFormatException(string bundle, string entry, string problem, Exception? inner = null)
        : base(entry.Length == 0 ? $"{bundle}: {problem}" : $"{bundle}: entry '{entry}' {problem}", inner)
    {
        Bundle = bundle;
        Entry = entry;
        Problem = problem;
    }

    /// <summary>The bundle file.</summary>
    public string Bundle { get; }

    /// <summary>The entry at fault, or empty when the file as a whole is.</summary>
    public string Entry { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
