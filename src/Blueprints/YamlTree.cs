using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Factory.Blueprints;

/// <summary>Kinds of node in a <see cref="YamlTree"/>.</summary>
internal enum YamlNodeKind
{
    Scalar,
    Sequence,
    Mapping,
    Alias,
}

/// <summary>One key of a mapping: the key text, where it is, and its value.</summary>
internal sealed record YamlEntry(string Key, YamlTreeNode KeyNode, YamlTreeNode Value);

/// <summary>
/// A YAML node with its 1-based position. Mappings keep their entries in document order with duplicate and
/// non-scalar keys already removed (and reported).
/// </summary>
internal sealed class YamlTreeNode
{
    private static readonly HashSet<string> NullLiterals = new(StringComparer.Ordinal) { "", "~", "null", "Null", "NULL" };

    public required YamlNodeKind Kind { get; init; }

    public required int Line { get; init; }

    public required int Column { get; init; }

    /// <summary>The scalar's text; empty for collections.</summary>
    public string Value { get; init; } = "";

    /// <summary>True for an untagged plain (unquoted) scalar: only those can be numbers, booleans or null.</summary>
    public bool IsPlain { get; init; }

    public List<YamlTreeNode> Items { get; } = [];

    public List<YamlEntry> Entries { get; } = [];

    /// <summary>True for a plain <c>~</c>, <c>null</c> or empty scalar.</summary>
    public bool IsNull => Kind == YamlNodeKind.Scalar && IsPlain && NullLiterals.Contains(Value);

    public string KindName => Kind switch
    {
        YamlNodeKind.Scalar => "a scalar",
        YamlNodeKind.Sequence => "a sequence",
        YamlNodeKind.Mapping => "a mapping",
        _ => "an alias",
    };
}

/// <summary>
/// Reads YAML (or JSON, which is YAML flow style) into <see cref="YamlTreeNode"/>s from YamlDotNet's event
/// parser. The event level (rather than <c>YamlStream</c>) lets us report every duplicate key instead of
/// stopping at the first, reject aliases before anything expands, and bound the nesting depth. Along the way
/// it reports aliases, duplicate keys, non-scalar keys, excess depth, extra documents and secret-looking
/// scalars (keys included).
/// </summary>
internal sealed class YamlTree
{
    private readonly ProblemSink _problems;
    private int _lastLine = 1;
    private int _lastColumn = 1;

    private YamlTree(ProblemSink problems) => _problems = problems;

    /// <summary>Returns the root node of the first document, or null when there is none or the text is not YAML.</summary>
    public static YamlTreeNode? Read(string text, ProblemSink problems)
    {
        var reader = new YamlTree(problems);
        var parser = new Parser(new StringReader(text));
        try
        {
            return reader.ReadStream(parser);
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException is { } inner && ex.Message.Length == 0 ? inner.Message : ex.Message;
            problems.Add(BlueprintProblemCodes.YamlSyntax, "$", ToInt(ex.Start.Line), ToInt(ex.Start.Column), "invalid YAML: " + StripMark(reason));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. an unterminated flow sequence
            // followed by block content); the position is that of the last node read.
            problems.Add(BlueprintProblemCodes.YamlSyntax, "$", reader._lastLine, reader._lastColumn, "invalid YAML: the parser could not read past this point; check brackets, quotes and indentation");
            return null;
        }
    }

    private YamlTreeNode? ReadStream(Parser parser)
    {
        parser.Consume<StreamStart>();
        YamlTreeNode? root = null;
        var documents = 0;
        while (!parser.TryConsume<StreamEnd>(out _))
        {
            var start = parser.Consume<DocumentStart>();
            documents++;
            if (documents == 1)
            {
                root = ReadNode(parser, "$", 0);
            }
            else
            {
                if (documents == 2)
                {
                    _problems.Add(BlueprintProblemCodes.MultipleDocuments, "$", ToInt(start.Start.Line), ToInt(start.Start.Column), "the text holds more than one YAML document; a blueprint is exactly one");
                }

                parser.SkipThisAndNestedEvents();
            }

            parser.Consume<DocumentEnd>();
        }

        return root;
    }

    private YamlTreeNode ReadNode(Parser parser, string path, int depth)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        var line = ToInt(current.Start.Line);
        var column = ToInt(current.Start.Column);
        (_lastLine, _lastColumn) = (line, column);
        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                if (SecretPatterns.LooksLikeSecret(scalar.Value))
                {
                    _problems.Add(BlueprintProblemCodes.SecretLiteral, path, line, column, "looks like a secret value; use a secret reference (vault:// or env://)");
                }

                return new YamlTreeNode
                {
                    Kind = YamlNodeKind.Scalar,
                    Line = line,
                    Column = column,
                    Value = scalar.Value,
                    IsPlain = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty,
                };

            case AnchorAlias:
                parser.MoveNext();
                _problems.Add(BlueprintProblemCodes.AliasNotAllowed, path, line, column, "YAML aliases (*name) are not allowed in a blueprint; write the value out");
                return new YamlTreeNode { Kind = YamlNodeKind.Alias, Line = line, Column = column };

            case SequenceStart or MappingStart when depth >= BlueprintLimits.MaxNestingDepth:
                _problems.Add(BlueprintProblemCodes.NestingTooDeep, path, line, column, $"collections are nested deeper than {BlueprintLimits.MaxNestingDepth} levels (BlueprintLimits.MaxNestingDepth)");
                parser.SkipThisAndNestedEvents();
                return new YamlTreeNode { Kind = YamlNodeKind.Scalar, Line = line, Column = column };

            case SequenceStart:
            {
                parser.MoveNext();
                var node = new YamlTreeNode { Kind = YamlNodeKind.Sequence, Line = line, Column = column };
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    node.Items.Add(ReadNode(parser, $"{path}[{node.Items.Count}]", depth + 1));
                }

                return node;
            }

            case MappingStart:
            {
                parser.MoveNext();
                var node = new YamlTreeNode { Kind = YamlNodeKind.Mapping, Line = line, Column = column };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, path + ".<key>", depth + 1);
                    var keyPath = ChildPath(path, key.Kind == YamlNodeKind.Scalar ? SafeKey(key.Value) : "<key>");
                    var value = ReadNode(parser, keyPath, depth + 1);
                    if (key.Kind != YamlNodeKind.Scalar)
                    {
                        if (key.Kind != YamlNodeKind.Alias)
                        {
                            _problems.Add(BlueprintProblemCodes.WrongNodeKind, keyPath, key.Line, key.Column, $"a mapping key must be a scalar, found {key.KindName}");
                        }
                    }
                    else if (!seen.Add(key.Value))
                    {
                        _problems.Add(BlueprintProblemCodes.DuplicateKey, keyPath, key.Line, key.Column, $"duplicate key `{SafeKey(key.Value)}`; each key may appear once");
                    }
                    else
                    {
                        node.Entries.Add(new YamlEntry(key.Value, key, value));
                    }
                }

                return node;
            }

            default:
                throw new YamlException(current.Start, current.End, "unexpected YAML event " + current.GetType().Name);
        }
    }

    /// <summary>Path of a mapping entry; the root's children have no <c>$.</c> prefix.</summary>
    public static string ChildPath(string parent, string key) => parent == "$" ? key : parent + "." + key;

    /// <summary>A key as it may appear in a path or message: redacted when it looks like a secret, shortened when long.</summary>
    public static string SafeKey(string key) => ProblemSink.Quote(key);

    private static int ToInt(long value) => (int)Math.Clamp(value, 1, int.MaxValue);

    // YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 1) - (Line: ...): "; the problem carries the position already.
    private static string StripMark(string message)
    {
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && index >= 0 ? message[(index + 3)..] : message;
    }
}
