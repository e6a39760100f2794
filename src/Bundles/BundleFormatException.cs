namespace Factory.Bundles;

/// <summary>A trace bundle that cannot be used: an entry is missing, malformed, or does not match the manifest.</summary>
public sealed class BundleFormatException : Exception
{
    /// <summary>A bundle problem.</summary>
    /// <param name="bundle">The bundle file (or name).</param>
    /// <param name="entry">The entry at fault, or empty when the file as a whole is.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="inner">The error that revealed it, if any.</param>
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
