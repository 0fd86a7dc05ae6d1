using SharpConv.Cli;

namespace SharpConv.Cli.Tests;

/// <summary>Runs the tool in-process through <see cref="Program.Run(string[], TextWriter)"/> and reads what it printed.</summary>
public class CommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        int code = Program.Run(args, writer);
        return (code, writer.ToString());
    }

    [Fact]
    public void ZooListsEveryArchitectureWithExactCounts()
    {
        var (code, output) = Run("zoo");
        Assert.Equal(0, code);
        foreach (var entry in SharpConv.Zoo.Zoo.All) Assert.Contains(entry.Name, output);
        Assert.Contains("61,706", output);
        Assert.Contains("138,357,544", output);
        Assert.Contains("15.470", output);                // VGG-16 GMACs
        Assert.Contains("✓", output);
        Assert.DoesNotContain("✗", output);
    }

    [Fact]
    public void ZooFiltersByFamily()
    {
        var (code, output) = Run("zoo", "--family", "lenet");
        Assert.Equal(0, code);
        Assert.Contains("lenet5-original", output);
        var (bad, message) = Run("zoo", "--family", "nope");
        Assert.Equal(1, bad);
        Assert.Contains("Families:", message);
    }

    [Fact]
    public void SummaryOfLeNet5()
    {
        var (code, output) = Run("summary", "lenet5");
        Assert.Equal(0, code);
        Assert.Contains("c1", output);
        Assert.Contains("5×5/1 p0, 6", output);
        Assert.Contains("1×6×28×28", output);
        Assert.Contains("61,706", output);
        Assert.Contains("416,520", output);           // MACs
        Assert.Contains("1 MAC = 2 FLOPs", output);
        Assert.Contains("Peak activation memory", output);
        Assert.Contains("By layer kind", output);
        Assert.Contains("95.8 %", output);            // LeNet-5's Linear layers hold 95.8 % of the parameters
    }

    [Fact]
    public void SummaryBatchAndPlainText()
    {
        var (code, output) = Run("summary", "lenet5", "--batch", "4", "--plain");
        Assert.Equal(0, code);
        Assert.Contains("batch 4", output);
        Assert.Contains("4×6×28×28", output);
        Assert.Contains("1,666,080", output);         // 4 × 416,520 MACs
        Assert.Equal(1, Run("summary", "lenet5", "--batch", "0").Code);
    }

    [Fact]
    public void RunLeNet5()
    {
        var (code, output) = Run("run", "lenet5", "--batch", "2", "--threads", "1", "--runs", "3");
        Assert.Equal(0, code);
        Assert.Contains("2×1×32×32", output);
        Assert.Contains("2×10", output);
        Assert.Contains("img/s", output);
        Assert.Contains("Median of 3 run(s)", output);
    }

    [Fact]
    public void ExplainPrintsTheLectureArithmetic()
    {
        var (code, output) = Run("explain");
        Assert.Equal(0, code);
        Assert.Contains("(227 − 11 + 2·0) / 4 + 1", output);
        Assert.Contains("= 55", output);
        Assert.Contains("not an integer", output);       // 224 with 11/4
        Assert.Contains("7×7", output);
        Assert.Contains("294,912", output);
        Assert.Contains("409,600", output);
        Assert.Contains("854,196,224", output);
        Assert.Contains("271,351,808", output);
        Assert.Contains("358M", output);                 // the lecture's figure, named as wrong
        Assert.Contains("51,380,224", output);
        Assert.Contains("15,237,608", output);           // VGG-16 forward memory, lecture convention
        Assert.Contains("24M", output);                  // the slide's total, named as not its own sum
        Assert.Contains("fully connected 89.4 %", output);
    }

    [Fact]
    public void ExplainOneTopic()
    {
        var (code, output) = Run("explain", "inception");
        Assert.Equal(0, code);
        Assert.Contains("28×28×480", output);
        Assert.DoesNotContain("294,912", output);
        var (bad, message) = Run("explain", "nope");
        Assert.Equal(1, bad);
        Assert.Contains("receptive-field", message);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("run")]
    public void UnknownArchitectureListsTheKnownNames(string command)
    {
        var (code, output) = Run(command, "lenet6");
        Assert.Equal(1, code);
        Assert.Contains("error:", output);
        Assert.Contains("unknown architecture 'lenet6'", output);
        Assert.Contains("lenet5, lenet5-original", output);
        Assert.Contains("vgg16", output);
        Assert.DoesNotContain("   at ", output);     // no stack trace
    }

    [Fact]
    public void TypedEngineErrorsAreOneLineAndExitCodeOne()
    {
        // Limits are process-wide: a batch whose activations exceed them raises LimitExceededException in the engine.
        var (code, output) = Run("summary", "lenet5", "--batch", "100000000");
        Assert.Equal(1, code);
        Assert.Contains("error:", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void UnknownCommandIsAParseError()
    {
        var (code, output) = Run("frobnicate");
        Assert.NotEqual(0, code);
        Assert.Contains("frobnicate", output);
    }
}
