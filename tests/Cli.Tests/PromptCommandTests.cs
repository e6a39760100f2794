namespace Factory.Cli.Tests;

/// <summary>
/// <c>factory run --prompt</c> on the embedded silo: without a model it exits 2 naming the setting; with one (served
/// on loopback, configured for one tenant through the environment) it plans, writes handlers, and its bundle
/// replays with no call to the model and every hash matching.
/// </summary>
public sealed class PromptCommandTests : IDisposable
{
    private const string Tenant = "cli-llm";
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("factory-cli-llm-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task RunWithAPromptAndNoModelExits2NamingTheMissingSetting()
    {
        var (exit, output, errors) = await CliHarness.InvokeAsync("run", "--prompt", "A notes service.", "--out", Path.Combine(_work.FullName, "out"), "--store", Path.Combine(_work.FullName, "store"));

        Assert.True(exit == ExitCodes.InvalidInput, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
        Assert.Contains("No LLM endpoint is configured for tenant 'default'", errors.Replace(Environment.NewLine, " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Factory:Llm:Editions:free:Endpoint", errors.Replace(Environment.NewLine, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWithAPromptPlansWritesHandlersAndItsBundleReplaysWithoutCallingTheModel()
    {
        await using var chat = await FakeChatEndpoint.StartAsync();
        var todo = await File.ReadAllTextAsync(CliHarness.Sample("todo-service.yaml"));
        chat.Responder = request => request.System.Contains("Factory blueprints", StringComparison.Ordinal)
            ? ScriptedAnswer.Text("```yaml\n" + todo + "\n```")
            : ScriptedAnswer.Text(CompleteTodoBody);
        var variables = new Dictionary<string, string>
        {
            [$"Factory__Llm__Tenants__{Tenant}__Endpoint"] = chat.BaseUrl.ToString(),
            [$"Factory__Llm__Tenants__{Tenant}__Model"] = "test-model",
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            var store = Path.Combine(_work.FullName, "store");
            var bundle = Path.Combine(_work.FullName, "run.zip");
            var (exit, output, errors) = await CliHarness.InvokeAsync("run", "--prompt", "Personal todo lists.", "--tenant", Tenant,
                "--out", Path.Combine(_work.FullName, "out"), "--store", store, "--bundle", bundle);

            Assert.True(exit == ExitCodes.Success, $"exit {exit}{Environment.NewLine}{output}{Environment.NewLine}{errors}");
            Assert.Contains("Planned todo-service@0.3.1", output, StringComparison.Ordinal);
            Assert.Equal(2, chat.Calls); // the planner, then CompleteTodo's handler
            var endpoints = await File.ReadAllTextAsync(Path.Combine(_work.FullName, "out", "todos", "src", "TodoService.Todos.Api", "Endpoints", "TodosEndpoints.cs"));
            Assert.Contains("todoItemRepository.Get(key)", endpoints, StringComparison.Ordinal);

            var (replayExit, replayOutput, replayErrors) = await CliHarness.InvokeAsync("replay", bundle, "--store", store);

            Assert.True(replayExit == ExitCodes.Success, $"exit {replayExit}{Environment.NewLine}{replayOutput}{Environment.NewLine}{replayErrors}");
            Assert.Contains("Replay reproduced run", replayOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("MISMATCH", replayOutput, StringComparison.Ordinal);
            Assert.Equal(2, chat.Calls); // no new call
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    private const string CompleteTodoBody = """
        ```csharp
        if (!Guid.TryParse(id, out var key) || todoItemRepository.Get(key) is not { } item)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(item);
        ```
        """;
}
