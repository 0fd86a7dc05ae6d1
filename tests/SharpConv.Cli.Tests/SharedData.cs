namespace SharpConv.Cli.Tests;

/// <summary>
/// Finds the repository root (the folder holding SharpConv.sln) and the shared reference data:
/// <c>$SHARPCONV_SHARED</c>, else <c>../shared</c> beside the repository root. Missing data fails the test with a clear
/// message; it is never a silent skip.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("SharpConv.sln not found above the test binaries.");
    });

    /// <summary>The repository root.</summary>
    public static string Repo => RepoRoot.Value;

    /// <summary>A path under the repository root.</summary>
    public static string InRepo(params string[] parts) => Path.Combine([Repo, .. parts]);

    /// <summary>The shared folder.</summary>
    public static string Shared
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("SHARPCONV_SHARED");
            string path = !string.IsNullOrEmpty(env) ? Path.GetFullPath(env) : Path.GetFullPath(Path.Combine(Repo, "..", "shared"));
            if (!Directory.Exists(Path.Combine(path, "reference")))
                throw new Xunit.Sdk.XunitException(
                    $"Shared test data not found at '{path}' (no reference/ folder). Put the 'shared' folder beside the repository root " +
                    "(../shared from the folder holding SharpConv.sln) or set SHARPCONV_SHARED to its path.");
            return path;
        }
    }

    /// <summary>A path under shared/reference.</summary>
    public static string Reference(params string[] parts) => Path.Combine([Shared, "reference", .. parts]);

    /// <summary>The trained Fashion-MNIST LeNet-5.</summary>
    public static string FashionModel => Reference("fashion_mnist_lenet5", "model.onnx");

    /// <summary>A temporary file name unique to this process and test.</summary>
    public static string Temp(string name) => Path.Combine(Path.GetTempPath(), $"sharpconv-cli-{Environment.ProcessId}-{name}");
}
