using Factory.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Factory.Grains.Tests.Storage;

public sealed class ProcessMemoryGrainStorageTests
{
    [Fact]
    public async Task States_read_back_as_last_written_whether_packed_or_not_and_only_current_states_are_packed()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var store = new ProcessMemoryGrainStorage.Store();
        var storage = new ProcessMemoryGrainStorage(store, "state", services.GetRequiredService<Serializer>());
        var rewritten = GrainId.Create("test", "rewritten");
        var state = new GrainState<List<string>>(["first"]);
        await storage.WriteStateAsync("s", rewritten, state);
        state.State = ["second", new string('x', 2000)];
        await storage.WriteStateAsync("s", rewritten, state);

        // Enough later writes for both of rewritten's to be behind the unpacked window.
        var others = Enumerable.Range(0, ProcessMemoryGrainStorage.Store.UnpackedLimit + 10).Select(i => GrainId.Create("test", $"g{i}")).ToList();
        foreach (var (grain, i) in others.Select((g, i) => (g, i)))
        {
            await storage.WriteStateAsync("s", grain, new GrainState<List<string>>([$"state {i}"]));
        }

        var entries = store.Entries;
        Assert.Null(entries[("state", "s", rewritten)].Raw); // packed: no write superseded it within the window
        Assert.NotNull(entries[("state", "s", others[^1])].Raw); // written last: not packed yet
        Assert.Equal(others.Count - ProcessMemoryGrainStorage.Store.UnpackedLimit + 1, entries.Values.Count(e => e.Raw is null));

        var read = new GrainState<List<string>>();
        await storage.ReadStateAsync("s", rewritten, read);
        Assert.Equal(["second", new string('x', 2000)], read.State);
        Assert.Equal(state.ETag, read.ETag);
        var last = new GrainState<List<string>>();
        await storage.ReadStateAsync("s", others[^1], last);
        Assert.Equal([$"state {others.Count - 1}"], last.State);

        // A write with a stale etag is refused, whether the stored state is packed or not.
        var stale = new GrainState<List<string>>(["stale"]) { ETag = "1" };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("s", rewritten, stale));
        Assert.Contains(rewritten.ToString(), conflict.Message, StringComparison.Ordinal);
        await storage.ReadStateAsync("s", rewritten, read);
        Assert.Equal("second", read.State![0]);
    }
}
