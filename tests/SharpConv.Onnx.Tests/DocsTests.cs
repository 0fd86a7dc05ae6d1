using System.Text;

namespace SharpConv.Onnx.Tests;

/// <summary>docs/onnx-operators.md is generated from <see cref="OnnxOperators.Table"/> and the conformance gap list.</summary>
public sealed class DocsTests
{
    /// <summary>The full document: the operator table from the library, then the conformance cases SharpConv does not pass.</summary>
    public static string Generate()
    {
        var sb = new StringBuilder(OnnxOperators.ToMarkdown());
        sb.Append("\n## ONNX conformance cases\n\n");
        sb.Append("`tests/SharpConv.Onnx.Tests` runs all 205 ONNX backend node tests in `shared/onnx-node-tests` with ONNX's tolerances\n");
        sb.Append("(rtol 1e-3, atol 1e-7), on the reference and the fast kernels. Cases of `Shape`, `ConstantOfShape`, `Constant`\n");
        sb.Append("and `Gather` — operators SharpConv supports as load-time shape glue — run through the constant folder with every\n");
        sb.Append("input bound and must match exactly. These cases are known not to pass; the test asserts that each one fails with\n");
        sb.Append("a typed error, so the list cannot go stale:\n\n");
        sb.Append("| case | reason |\n|---|---|\n");
        foreach (var (name, reason) in ConformanceTests.KnownUnsupported.OrderBy(k => k.Key, StringComparer.Ordinal))
            sb.Append($"| `{name}` | {reason} |\n");
        return sb.ToString();
    }

    [Fact]
    public void Committed_operator_doc_equals_the_generated_one()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SharpConv.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        string path = Path.Combine(dir!.FullName, "docs", "onnx-operators.md");
        string generated = Generate();
        if (Environment.GetEnvironmentVariable("SHARPCONV_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with SHARPCONV_UPDATE_DOCS=1 to write it.");
        Assert.True(File.ReadAllText(path).ReplaceLineEndings("\n") == generated,
            "docs/onnx-operators.md differs from OnnxOperators.ToMarkdown(); run the tests with SHARPCONV_UPDATE_DOCS=1 and commit the result.");
    }

    [Fact]
    public void Every_table_row_has_a_converter_and_sane_opsets()
    {
        foreach (var row in OnnxOperators.Table)
        {
            Assert.True(row.MinOpset >= OnnxOperators.OldestOpset && row.MaxOpset <= OnnxOperators.NewestOpset && row.MinOpset <= row.MaxOpset, row.OpType);
            Assert.True(OnnxOperators.IsSupported(row.OpType, Math.Max(13, row.MinOpset)), row.OpType); // HardSwish starts at opset 14
        }
        Assert.False(OnnxOperators.IsSupported("GridSample", 13));
    }
}
