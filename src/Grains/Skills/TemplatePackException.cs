namespace Factory.Grains.Skills;

/// <summary>A template pack could not be loaded: <see cref="File"/> (and <see cref="Line"/> when known) name the fault.</summary>
public sealed class TemplatePackException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The pack-relative file at fault, e.g. <c>pack.yaml</c> or <c>developer/program.cs.sbn</c>.</param>
    /// <param name="line">The 1-based line, or null when not known.</param>
    /// <param name="message">What is wrong; the final message is prefixed with the file and line.</param>
    /// <param name="inner">The underlying parser error, if any.</param>
    public TemplatePackException(string file, int? line, string message, Exception? inner = null)
        : base(line is { } l ? $"{file}({l}): {message}" : $"{file}: {message}", inner)
    {
        File = file;
        Line = line;
    }

    /// <summary>The pack-relative file at fault.</summary>
    public string File { get; }

    /// <summary>The 1-based line at fault, or null.</summary>
    public int? Line { get; }
}
