using Factory.Grains.Tests.Runs;

namespace Factory.Grains.Tests.Tenancy;

/// <summary>Paging and filtering a tenant's runs; run ownership.</summary>
public sealed class RunQueryTests(TenancyClusterFixture fixture) : IClassFixture<TenancyClusterFixture>
{
    private IClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task RunsArePagedNewestFirstAndFilteredByStatusBlueprintAndTime()
    {
        var tenant = await Tenancy.CreateAsync(Client, "paging", "pro");
        var todo = Samples.CanonicalJson("todo-service.yaml");
        var clinic = Samples.CanonicalJson("clinic-appointments.yaml");
        var submitted = new List<RunSubmission>();
        foreach (var json in new[] { todo, clinic, todo, clinic, todo })
        {
            submitted.Add(await tenant.SubmitRunAsync(new RunRequest { BlueprintJson = json }));
        }

        foreach (var run in submitted)
        {
            await RunDriver.WatchToEndAsync(Client, run.RunId);
        }

        await Tenancy.RunsEndedAtTenantAsync(tenant, submitted.Select(s => s.RunId));
        var newestFirst = submitted.Select(s => s.RunId).Reverse().ToList();

        // Pages of two: 2 + 2 + 1, the last with no next token.
        var pages = new List<RunPage>();
        var token = "";
        do
        {
            var page = await tenant.QueryRunsAsync(new RunQuery { PageSize = 2, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Runs.Length));
        Assert.Equal(newestFirst, pages.SelectMany(p => p.Runs).Select(r => r.RunId));
        Assert.All(pages.SelectMany(p => p.Runs), r => Assert.Equal(RunStatus.Succeeded, r.Status));

        // Filters.
        var clinicRuns = await tenant.QueryRunsAsync(new RunQuery { BlueprintName = "clinic-appointments" });
        Assert.Equal([submitted[3].RunId, submitted[1].RunId], clinicRuns.Runs.Select(r => r.RunId));
        Assert.Equal("", clinicRuns.NextPageToken);
        Assert.Equal(5, (await tenant.QueryRunsAsync(new RunQuery { Status = RunStatus.Succeeded })).Runs.Length);
        Assert.Empty((await tenant.QueryRunsAsync(new RunQuery { Status = RunStatus.Running })).Runs);
        var entries = await tenant.ListRunsAsync(10);
        var third = entries.Single(e => e.RunId == submitted[2].RunId).SubmittedAt;
        Assert.Equal(newestFirst.Take(3), (await tenant.QueryRunsAsync(new RunQuery { SubmittedAfter = third })).Runs.Select(r => r.RunId));
        Assert.Equal(newestFirst.Skip(3), (await tenant.QueryRunsAsync(new RunQuery { SubmittedBefore = third })).Runs.Select(r => r.RunId));
        var todoPage = await tenant.QueryRunsAsync(new RunQuery { BlueprintName = "todo-service", PageSize = 2 });
        Assert.Equal([submitted[4].RunId, submitted[2].RunId], todoPage.Runs.Select(r => r.RunId));
        Assert.Equal([submitted[0].RunId], (await tenant.QueryRunsAsync(new RunQuery { BlueprintName = "todo-service", PageSize = 2, PageToken = todoPage.NextPageToken })).Runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task AMalformedPageTokenOrPageSizeIsRefusedNamingIt()
    {
        var tenant = Client.GetGrain<ITenantGrain>(Tenancy.NewTenantId("tokens"));

        var badToken = await Assert.ThrowsAsync<ArgumentException>(() => tenant.QueryRunsAsync(new RunQuery { PageToken = "not a token!" }));
        var otherToken = await Assert.ThrowsAsync<ArgumentException>(() => tenant.QueryRunsAsync(new RunQuery { PageToken = "cnVuczo5OTk" })); // "runs:999", past the end
        var badSize = await Assert.ThrowsAsync<ArgumentException>(() => tenant.QueryRunsAsync(new RunQuery { PageSize = 501 }));

        // The field leads the message (an exception's ParamName does not cross the wire).
        Assert.StartsWith("RunQuery.PageToken ", badToken.Message, StringComparison.Ordinal);
        Assert.StartsWith("RunQuery.PageToken ", otherToken.Message, StringComparison.Ordinal);
        Assert.StartsWith("RunQuery.PageSize ", badSize.Message, StringComparison.Ordinal);
        Assert.Empty((await tenant.QueryRunsAsync(new RunQuery())).Runs);
    }

    [Fact]
    public async Task ATenantOwnsOnlyItsOwnRuns()
    {
        var owner = await Tenancy.CreateAsync(Client, "owner", "pro");
        var stranger = await Tenancy.CreateAsync(Client, "stranger", "pro");
        var run = await owner.SubmitRunAsync(new RunRequest { BlueprintJson = Samples.CanonicalJson("todo-service.yaml") });

        Assert.True(await owner.OwnsRunAsync(run.RunId));
        Assert.False(await stranger.OwnsRunAsync(run.RunId));
        Assert.False(await owner.OwnsRunAsync(Guid.NewGuid().ToString("N")));
        await RunDriver.WatchToEndAsync(Client, run.RunId);
    }
}
