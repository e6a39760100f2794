using System.Text.RegularExpressions;
using Factory.Blueprints;

namespace Factory.Grains.Skills;

/// <summary>
/// What an operation does to the module's entities, derived from its method, path and input/output: the one
/// classification the templates (through the view model) and the native generators share.
/// </summary>
/// <param name="Crud"><c>create</c>, <c>get</c>, <c>list</c>, <c>update</c>, <c>delete</c>, or <c>action</c> when the shape is none of those.</param>
/// <param name="InputEntity">The owned entity the operation takes, or null.</param>
/// <param name="OutputEntity">The owned entity the operation returns, or null.</param>
/// <param name="Target">The entity it works on (null for an action).</param>
/// <param name="RouteParameters">Names of the path's route parameters, in order.</param>
/// <param name="KeyParameter">The route parameter holding the key, for get/update/delete; else null.</param>
internal sealed partial record OperationShape(
    string Crud,
    EntitySpec? InputEntity,
    EntitySpec? OutputEntity,
    EntitySpec? Target,
    IReadOnlyList<string> RouteParameters,
    string? KeyParameter)
{
    /// <summary>Whether a request carries a JSON body: an input on POST, PUT or PATCH.</summary>
    public static bool HasBody(OperationSpec operation) =>
        operation.Input.Length > 0 && operation.Method is HttpVerb.Post or HttpVerb.Put or HttpVerb.Patch;

    /// <summary>Classifies <paramref name="operation"/> against the module's own entities.</summary>
    public static OperationShape Of(OperationSpec operation, IReadOnlyDictionary<string, EntitySpec> moduleEntities)
    {
        var input = operation.Input.Length > 0 && moduleEntities.TryGetValue(operation.Input, out var i) ? i : null;
        var output = operation.Output.Length > 0 && moduleEntities.TryGetValue(operation.Output, out var o) ? o : null;
        var target = output ?? input ?? (moduleEntities.Count == 1 ? moduleEntities.Values.First() : null);
        var routeParameters = RouteParameterPattern().Matches(operation.Path).Select(m => m.Groups["name"].Value).ToList();
        var crud = Classify(operation, routeParameters.Count, input, output, target);
        var key = crud is "get" or "update" or "delete" && target is not null ? routeParameters[0] : null;
        return new OperationShape(crud, input, output, crud == "action" ? null : target, routeParameters, key);
    }

    private static string Classify(OperationSpec op, int routeParams, EntitySpec? input, EntitySpec? output, EntitySpec? target)
    {
        if (target is null)
        {
            return "action";
        }

        var noOtherOutput = op.Output.Length == 0 || (ReferenceEquals(output, target) && !op.OutputIsList);
        return op.Method switch
        {
            HttpVerb.Post when ReferenceEquals(input, target) && routeParams == 0 && noOtherOutput => "create",
            HttpVerb.Get when ReferenceEquals(output, target) && op.OutputIsList && routeParams == 0 && op.Input.Length == 0 => "list",
            HttpVerb.Get when ReferenceEquals(output, target) && !op.OutputIsList && routeParams == 1 && op.Input.Length == 0 => "get",
            HttpVerb.Put or HttpVerb.Patch when ReferenceEquals(input, target) && routeParams == 1 && noOtherOutput => "update",
            HttpVerb.Delete when routeParams == 1 && op.Input.Length == 0 && op.Output.Length == 0 => "delete",
            _ => "action",
        };
    }

    [GeneratedRegex(@"\{(?<name>[^}:?*]+)[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex RouteParameterPattern();
}
