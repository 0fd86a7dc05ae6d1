using SharpConv.Graph;

namespace SharpConv.Zoo;

public static partial class Zoo
{
    /// <summary>
    /// FractalNet (Larsson, Maire &amp; Shakhnarovich 2016) for CIFAR-10 at test time, 32×32×3: B = 5 fractal blocks of
    /// C = 4 columns (64, 128, 256, 512, 512 filters), each followed by a 2×2 max pool, then FC10 — 5 · 2^(C−1) = 40
    /// conv layers on the deepest path and no residual connection. The expansion rule is
    /// <c>f_1(z) = conv(z)</c>, <c>f_{C+1}(z) = join(f_C(f_C(z)), conv(z))</c> with join = element-wise mean; as in the
    /// paper's figure, a join merges every column that ends at that depth at once (the last join of a block has C inputs).
    /// Drop-path is training only, so the full fractal runs here. The FC head fixes the input at 32×32.
    /// </summary>
    public static Network FractalNet(int columns = 4, ZooOptions? options = null)
    {
        var o = options ?? new ZooOptions();
        string name = columns == 4 ? "fractalnet" : $"fractalnet-c{columns}";
        if (columns is < 1 or > 6) throw new InvalidLayerException(name, $"columns must be 1..6, found {columns}.");
        var b = Start(name, o, fixedSide: 32);
        var x = b.Input(3, 32, 32, o.Batch);
        int[] widths = [64, 128, 256, 512, 512];
        for (int block = 0; block < widths.Length; block++)
        {
            using var _ = b.Scope($"block{block + 1}");
            x = Join(Fractal(x, columns, o.Wd(widths[block]))).MaxPool(2, 2, name: "pool");                        // 32 → 16 → … → 1
        }
        return b.Build(x.Flatten().Linear(o.Classes ?? 10, name: "fc"));
    }

    /// <summary>
    /// The un-joined outputs of <c>f_C(z)</c>: the deep path <c>f_{C−1}(f_{C−1}(z))</c> contributes the columns of its
    /// last join, the shallow path one conv — so the caller's join sees all C columns, as in the paper's Figure 1.
    /// </summary>
    private static List<Value> Fractal(Value z, int columns, int width)
    {
        var shallow = FractalConv(z, width, columns);
        if (columns == 1) return [shallow];
        var deep = Fractal(Join(Fractal(z, columns - 1, width)), columns - 1, width);
        deep.Add(shallow);
        return deep;
    }

    /// <summary>Join = element-wise mean (a single column passes through).</summary>
    private static Value Join(List<Value> columns) => columns.Count == 1 ? columns[0] : columns[0].Builder.Mean(columns);

    /// <summary>FractalNet's conv unit: 3×3 conv → BN → ReLU (dropout is training only), in column <paramref name="column"/>.</summary>
    private static Value FractalConv(Value z, int width, int column)
    {
        using var _ = z.Builder.Scope($"col{column}");
        return z.Conv(width, 3, padding: 1, bias: false).BatchNorm().Relu();
    }
}
