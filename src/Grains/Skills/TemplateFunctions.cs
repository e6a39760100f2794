using System.Globalization;
using System.Text;
using System.Text.Json;
using Scriban.Runtime;

namespace Factory.Grains.Skills;

/// <summary>
/// The helper functions a template can call: naming (<c>pascal</c>, <c>camel</c>, <c>kebab</c>, <c>snake</c>,
/// <c>upper_snake</c>, <c>csharp_type</c>) and escapers (<c>csharp_string</c>, <c>json_string</c>,
/// <c>yaml_string</c>, <c>xml_text</c>, <c>comment_text</c>, <c>markdown_text</c>).
/// Free text from a blueprint reaches a generated file only through an escaper.
/// </summary>
public static class TemplateFunctions
{
    /// <summary>A read-only script object holding every helper, shared by all renders.</summary>
    internal static ScriptObject Shared { get; } = CreateShared();

    /// <summary>Splits an identifier into lower-case words at separators and case boundaries.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush(words, current);
                continue;
            }

            if (current.Length > 0 && char.IsUpper(c))
            {
                var previous = text[i - 1];
                var nextIsLower = i + 1 < text.Length && char.IsLower(text[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    Flush(words, current);
                }
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush(words, current);
        return words;

        static void Flush(List<string> words, StringBuilder current)
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary><c>book-appointment</c> to <c>BookAppointment</c>.</summary>
    public static string Pascal(string? text) => string.Concat(Words(text).Select(Capitalize));

    /// <summary><c>BookAppointment</c> to <c>bookAppointment</c>.</summary>
    public static string Camel(string? text)
    {
        var words = Words(text);
        return words.Count == 0 ? "" : words[0] + string.Concat(words.Skip(1).Select(Capitalize));
    }

    /// <summary><c>BookAppointment</c> to <c>book-appointment</c>.</summary>
    public static string Kebab(string? text) => string.Join('-', Words(text));

    /// <summary><c>BookAppointment</c> to <c>book_appointment</c>.</summary>
    public static string Snake(string? text) => string.Join('_', Words(text));

    /// <summary><c>BookAppointment</c> to <c>BOOK_APPOINTMENT</c>.</summary>
    public static string UpperSnake(string? text) => Snake(text).ToUpperInvariant();

    /// <summary>
    /// The C# type of a view-model field (an object with <c>csharp_base_type</c> and <c>required</c>),
    /// with <c>?</c> when it is optional.
    /// </summary>
    public static string CSharpType(ScriptObject? field)
    {
        if (field is null)
        {
            return "object";
        }

        var baseType = field["csharp_base_type"] as string ?? "object";
        var required = field["required"] is true;
        return required ? baseType : baseType + "?";
    }

    /// <summary>A C# regular string literal, quotes included; every character that could end it is escaped.</summary>
    public static string CSharpString(string? text) => DoubleQuoted(text);

    /// <summary>A JSON string literal, quotes included (also a valid YAML double-quoted scalar).</summary>
    public static string JsonString(string? text) => JsonSerializer.Serialize(text ?? "");

    /// <summary>A YAML double-quoted scalar, quotes included: no newline, comment or flow indicator survives unescaped.</summary>
    public static string YamlString(string? text) => DoubleQuoted(text);

    /// <summary>
    /// A double-quoted literal with backslash escapes for <c>\ " \n \r \t \0</c> and <c>\uXXXX</c> for other
    /// control and separator characters: C# regular strings and YAML double-quoted scalars share exactly this grammar.
    /// </summary>
    private static string DoubleQuoted(string? text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text ?? "")
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                case '\0': builder.Append(@"\0"); break;
                default:
                    if (NeedsUnicodeEscape(c))
                    {
                        AppendUnicodeEscape(builder, c);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>XML character data or attribute value: <c>&amp; &lt; &gt; &quot; &apos;</c> escaped, control characters dropped.</summary>
    public static string XmlText(string? text)
    {
        var builder = new StringBuilder();
        foreach (var c in text ?? "")
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&apos;"); break;
                default:
                    if (c is '\n' or '\t' || !char.IsControl(c))
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// One line of plain text, safe inside a line comment of any language (<c>//</c>, <c>#</c>, <c>///</c>) or a
    /// block comment: every line break and control character becomes a space, runs of spaces collapse, and
    /// <c>*/</c> is broken up.
    /// </summary>
    public static string CommentText(string? text)
    {
        var builder = new StringBuilder();
        var pendingSpace = false;
        foreach (var c in text ?? "")
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || IsLineBreak(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            if (c == '/' && builder.Length > 0 && builder[^1] == '*')
            {
                builder.Append(' ');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>One line of Markdown text with every formatting and HTML character backslash-escaped.</summary>
    public static string MarkdownText(string? text)
    {
        var builder = new StringBuilder();
        foreach (var c in CommentText(text))
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '{' or '}' or '(' or ')' or '&')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static ScriptObject CreateShared()
    {
        var functions = new ScriptObject();
        functions.Import("pascal", new Func<string?, string>(Pascal));
        functions.Import("camel", new Func<string?, string>(Camel));
        functions.Import("kebab", new Func<string?, string>(Kebab));
        functions.Import("snake", new Func<string?, string>(Snake));
        functions.Import("upper_snake", new Func<string?, string>(UpperSnake));
        functions.Import("csharp_type", new Func<ScriptObject?, string>(CSharpType));
        functions.Import("csharp_string", new Func<string?, string>(CSharpString));
        functions.Import("json_string", new Func<string?, string>(JsonString));
        functions.Import("yaml_string", new Func<string?, string>(YamlString));
        functions.Import("xml_text", new Func<string?, string>(XmlText));
        functions.Import("comment_text", new Func<string?, string>(CommentText));
        functions.Import("markdown_text", new Func<string?, string>(MarkdownText));
        functions.IsReadOnly = true;
        return functions;
    }

    private static string Capitalize(string word) =>
        word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    private static bool IsLineBreak(char c) => c is '\u0085' or '\u2028' or '\u2029';

    private static bool NeedsUnicodeEscape(char c) =>
        char.IsControl(c) || IsLineBreak(c) || c == '\uFEFF';

    private static void AppendUnicodeEscape(StringBuilder builder, char c) =>
        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
}
