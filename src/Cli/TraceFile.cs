using Factory.Bundles;

namespace Factory.Cli;

/// <summary>Writes a run's trace as JSON lines, one event per line, in journal order.</summary>
internal sealed class TraceFile : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly List<string> _lines = [];

    public TraceFile(string path)
    {
        Path = path;
        _writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
    }

    /// <summary>Where the trace is written.</summary>
    public string Path { get; }

    /// <summary>Every line written so far, in order.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Appends one event.</summary>
    public Task WriteAsync(TraceEvent e)
    {
        var line = Serialize(e);
        _lines.Add(line);
        return _writer.WriteLineAsync(line);
    }

    /// <summary>One event as a JSON object, attributes sorted by key (<see cref="TraceEventJson.Serialize"/>).</summary>
    public static string Serialize(TraceEvent e) => TraceEventJson.Serialize(e);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
