namespace SharpConv.Cli.Tests;

/// <summary><c>sharpconv filters</c> and <c>sharpconv featuremaps</c>: PNG files of the expected size, and clear errors.</summary>
public class PictureCommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        int code = Program.Run(args, writer);
        return (code, writer.ToString());
    }

    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("sharpconv-pictures").FullName, name);

    [Fact]
    public void FiltersOfLeNet5()
    {
        string path = Temp("f.png");
        var (code, output) = Run("filters", "lenet5", "--out", path);
        Assert.True(code == 0, output);
        Assert.Contains("6 filters of 5×5×1", output);
        // 6 tiles of 5×5 drawn ×8 (40 px) in a 3×2 grid with 2-px gaps.
        Assert.Equal((3 * 40 + 4 * 2, 2 * 40 + 3 * 2), ReportTests.PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void ColourFiltersOfAlexNet()
    {
        string path = Temp("f.png");
        var (code, output) = Run("filters", "alexnet", "--out", path);
        Assert.True(code == 0, output);
        Assert.Contains("64 filters of 11×11×3", output);
        Assert.Contains("seeded random", output);
        Assert.Equal((8 * 44 + 9 * 2, 8 * 44 + 9 * 2), ReportTests.PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void FeatureMapsOfAnIntermediateLayer()
    {
        string path = Temp("m.png");
        var (code, output) = Run("featuremaps", "lenet5", "--layer", "c3", "--image", Path.Combine(RepoRoot(), "data/images/photo.jpg"), "--out", path, "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Contains("1×16×10×10", output);
        // 16 maps of 10×10 drawn ×5 in a 4×4 grid.
        Assert.Equal((4 * 50 + 5 * 2, 4 * 50 + 5 * 2), ReportTests.PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void FeatureMapsNeedMaps()
    {
        var (code, output) = Run("featuremaps", "lenet5", "--layer", "c5", "--out", Temp("m.png"));
        Assert.Equal(1, code);
        Assert.Contains("not a stack of 2-D feature maps", output);
        (code, output) = Run("featuremaps", "lenet5", "--layer", "conv99", "--out", Temp("m.png"));
        Assert.Equal(1, code);
        Assert.Contains("has no layer 'conv99'", output);
        (code, output) = Run("filters", "lenet5", "--layer", "s2", "--out", Temp("f.png"));
        Assert.Equal(1, code);
        Assert.Contains("not a convolution", output);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("SharpConv.sln not found above the test binaries.");
    }
}
