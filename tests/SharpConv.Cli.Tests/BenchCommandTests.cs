using SharpConv.Cli;

namespace SharpConv.Cli.Tests;

public class BenchCommandTests
{
    private static (int Code, string Text) Run(params string[] args)
    {
        var writer = new StringWriter();
        int code = Program.Run(args, writer);
        return (code, writer.ToString());
    }

    [Fact]
    public void BenchesEveryBatchAndThreadPair()
    {
        string json = Path.GetTempFileName();
        try
        {
            var (code, text) = Run("bench", "lenet5", "--batch", "1,3", "--threads", "1,2", "--runs", "4", "--warmup", "1", "--json", json);
            Assert.Equal(0, code);
            Assert.Contains("p50 ms", text);
            Assert.Contains("2 threads / 1 thread at batch 1", text);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            var rows = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(4, rows.Count);
            Assert.Equal([(1, 1), (1, 2), (3, 1), (3, 2)], rows.Select(r => (r.GetProperty("batch").GetInt32(), r.GetProperty("threads").GetInt32())));
            Assert.All(rows, r => Assert.True(r.GetProperty("p50Ms").GetDouble() <= r.GetProperty("p99Ms").GetDouble()));
            Assert.All(rows, r => Assert.True(r.GetProperty("imagesPerSecond").GetDouble() > 0));
        }
        finally { File.Delete(json); }
    }

    [Fact]
    public void BadListsAreOneLineErrors()
    {
        var (code, text) = Run("bench", "lenet5", "--batch", "1,x");
        Assert.Equal(1, code);
        Assert.Contains("--batch takes positive integers", text);
        Assert.Equal(1, Run("bench", "no-such-net").Code);
    }
}
