namespace Factory.Blueprints;

/// <summary>
/// The C# keywords. Blueprint identifiers become C# names: the validator rejects fields named like one,
/// and templates prefix <c>@</c> to any other identifier that is one.
/// </summary>
public static class CSharpKeywords
{
    /// <summary>Every C# keyword, reserved and contextual.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        // Reserved keywords.
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        // Contextual keywords.
        "add", "allows", "alias", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic",
        "equals", "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let",
        "managed", "nameof", "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record",
        "remove", "required", "scoped", "select", "set", "unmanaged", "value", "var", "when", "where", "with",
        "yield",
    };

    /// <summary>Whether <paramref name="name"/> equals a C# keyword, ignoring case.</summary>
    public static bool Contains(string name) => Keywords.Contains(name);
}
