using System.Globalization;
using System.Text;
using Factory.Blueprints;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Factory.Grains.Gates;

/// <summary>Helpers the gates share: artifact selection and decoding, C# parsing, blueprint paths.</summary>
internal static class GateSupport
{
    /// <summary>The folder of the service's sources.</summary>
    public const string SourceFolder = "src/";

    /// <summary>The folder of the module's tests.</summary>
    public const string TestFolder = "tests/";

    /// <summary>The parse options of generated C# (the language version of a net10.0 project).</summary>
    public static readonly CSharpParseOptions ParseOptions = new(
        LanguageVersion.CSharp14,
        DocumentationMode.Parse,
        SourceCodeKind.Regular,
        ["TRACE", "RELEASE", "NET", "NET10_0", "NETCOREAPP", "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER", "NET9_0_OR_GREATER", "NET10_0_OR_GREATER", "NETCOREAPP3_1_OR_GREATER"]);

    /// <summary>The artifact's content as text.</summary>
    public static string Text(GateArtifact artifact) => Encoding.UTF8.GetString(artifact.Content.Span);

    /// <summary>The C# files (<c>.cs</c>) under <paramref name="folder"/>, ordered by path.</summary>
    public static IReadOnlyList<GateArtifact> CSharpUnder(GateContext context, string folder) =>
    [
        .. context.Artifacts
            .Where(a => a.Path.StartsWith(folder, StringComparison.Ordinal) && a.Path.EndsWith(".cs", StringComparison.Ordinal))
            .OrderBy(a => a.Path, StringComparer.Ordinal),
    ];

    /// <summary>Parses C# artifacts into syntax trees whose file paths are the artifact paths.</summary>
    public static IReadOnlyList<SyntaxTree> Parse(IEnumerable<GateArtifact> artifacts, CancellationToken cancellationToken) =>
    [
        .. artifacts.Select(a => CSharpSyntaxTree.ParseText(Text(a), ParseOptions, a.Path, Encoding.UTF8, cancellationToken)),
    ];

    /// <summary><c>{path}:{line}</c> (one-based) of a node.</summary>
    public static string Where(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.Path + ":" + (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The rightmost identifier of a (possibly qualified or generic) name.</summary>
    public static string SimpleName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => name.ToString(),
    };

    /// <summary>Whether an attribute list holds an attribute named <paramref name="name"/> (with or without the <c>Attribute</c> suffix).</summary>
    public static bool HasAttribute(SyntaxList<AttributeListSyntax> lists, string name) =>
        lists.SelectMany(l => l.Attributes).Any(a =>
        {
            var simple = SimpleName(a.Name);
            return simple == name || simple == name + "Attribute";
        });

    /// <summary>The name of the method or member an invocation calls, or null for anything else.</summary>
    public static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The value of a single string-literal argument, or null when the call has another shape.</summary>
    public static string? SingleStringArgument(InvocationExpressionSyntax invocation) =>
        invocation.ArgumentList.Arguments is [{ Expression: LiteralExpressionSyntax literal }] && literal.IsKind(SyntaxKind.StringLiteralExpression)
            ? literal.Token.ValueText
            : null;

    /// <summary>The C# property name of a blueprint field or operation (first letter upper-cased).</summary>
    public static string Pascal(string name) =>
        name.Length == 0 ? name : string.Concat(char.ToUpperInvariant(name[0]).ToString(), name.AsSpan(1));

    /// <summary>The blueprint path of the context's module, e.g. <c>modules[1]</c>.</summary>
    public static string ModulePath(GateContext context) => ModulePath(context.Blueprint, context.Module.Name);

    /// <summary>The blueprint path of the module named <paramref name="name"/> in <paramref name="blueprint"/>.</summary>
    public static string ModulePath(Blueprint blueprint, string name)
    {
        for (var i = 0; i < blueprint.Modules.Count; i++)
        {
            if (blueprint.Modules[i].Name == name)
            {
                return Indexed("modules", i);
            }
        }

        return "modules";
    }

    /// <summary><c>{prefix}[{index}]</c>.</summary>
    public static string Indexed(string prefix, int index) => prefix + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    /// <summary>The entities of the blueprint the module owns, in the module's order (unknown names are skipped).</summary>
    public static IReadOnlyList<EntitySpec> OwnedEntities(GateContext context) =>
    [
        .. context.Module.Entities
            .Select(name => context.Blueprint.Domain.Entities.FirstOrDefault(e => e.Name == name))
            .OfType<EntitySpec>(),
    ];

    /// <summary>Formats a number with two decimals, culture-invariant.</summary>
    public static string Two(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
