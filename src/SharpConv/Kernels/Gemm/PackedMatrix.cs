namespace SharpConv.Kernels.Gemm;

/// <summary>
/// The constant left operand of <see cref="PackedGemm"/> (the weights, [M × K] per group), packed once into the
/// layout the micro-kernel reads: MR-row panels, each k-major (MR consecutive values per k), the last panel
/// zero-padded to MR rows. Packing costs one pass over the weights at compile time; every call then streams
/// panels with unit stride and no tail logic for M.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly float[] _data;   // pinned (POH), so the pointer below is stable for the object's life
    private readonly float* _base;    // 64-byte aligned start inside _data

    /// <summary>Rows per group (M: output channels).</summary>
    public int Rows { get; }
    /// <summary>Columns (K: the reduction length, e.g. C/G·R·S).</summary>
    public int Cols { get; }
    /// <summary>Number of independent groups (matrices) packed side by side.</summary>
    public int Groups { get; }
    /// <summary>The vector width this matrix was packed for; <see cref="PackedGemm"/> uses that width's kernel.</summary>
    public SimdWidth Width { get; }

    internal GemmKernel Kernel { get; }
    internal int PanelRows { get; }       // MR (left operand) or NR (right operand)
    internal int Panels { get; }          // ceil(Rows / PanelRows)
    internal long PanelStride { get; }    // Cols * MR floats
    internal long GroupStride { get; }    // Panels * PanelStride floats

    internal float* Panel(int group, int panel) => _base + group * GroupStride + panel * PanelStride;

    /// <summary>Packs <paramref name="groups"/> row-major matrices of <paramref name="rows"/>×<paramref name="cols"/>
    /// stored one after another in <paramref name="a"/>.</summary>
    /// <param name="a">groups·rows·cols values, row-major per group.</param>
    /// <param name="rows">M per group.</param>
    /// <param name="cols">K.</param>
    /// <param name="groups">Number of matrices (conv groups, Winograd positions…).</param>
    /// <param name="width">Kernel width to pack for; default <see cref="SimdSupport.Best"/>.</param>
    /// <exception cref="ArgumentException">Sizes are not positive or <paramref name="a"/> is too short.</exception>
    public static PackedMatrix Pack(ReadOnlySpan<float> a, int rows, int cols, int groups = 1, SimdWidth? width = null)
        => new(a, rows, cols, groups, GemmKernel.For(width ?? SimdSupport.Best, rows), width ?? SimdSupport.Best, GemmKernel.For(width ?? SimdSupport.Best, rows).MR);

    internal static PackedMatrix Pack(ReadOnlySpan<float> a, int rows, int cols, int groups, GemmKernel kernel)
        => new(a, rows, cols, groups, kernel, WidthOf(kernel), kernel.MR);

    /// <summary>Packs the matrices as the micro-kernel's <em>right</em> operand: NR-row panels (each the transpose of
    /// a k-major NR-column B panel), for <see cref="TransposedGemm"/>, which computes Cᵀ = Bᵀ·Aᵀ.</summary>
    internal static PackedMatrix PackAsRightOperand(ReadOnlySpan<float> a, int rows, int cols, int groups, GemmKernel kernel)
        => new(a, rows, cols, groups, kernel, WidthOf(kernel), kernel.NR);

    private static SimdWidth WidthOf(GemmKernel kernel) => kernel.NR switch { 8 => SimdWidth.Vector128, 16 => SimdWidth.Vector256, _ => SimdWidth.Vector512 };

    private PackedMatrix(ReadOnlySpan<float> a, int rows, int cols, int groups, GemmKernel kernel, SimdWidth width, int panelRows)
    {
        if (rows <= 0 || cols <= 0 || groups <= 0) throw new ArgumentException($"PackedMatrix: sizes must be positive (rows {rows}, cols {cols}, groups {groups}).");
        if (a.Length < (long)rows * cols * groups) throw new ArgumentException($"PackedMatrix: need {(long)rows * cols * groups} values, got {a.Length}.");
        Rows = rows; Cols = cols; Groups = groups; Kernel = kernel; Width = width; PanelRows = panelRows;
        int mr = panelRows;
        Panels = (rows + mr - 1) / mr;
        PanelStride = (long)cols * mr;
        GroupStride = Panels * PanelStride;
        long total = GroupStride * groups;
        _data = GC.AllocateArray<float>(checked((int)(total + 16)), pinned: true);
        fixed (float* p = _data) _base = (float*)(((nint)p + 63) & ~(nint)63);

        for (int g = 0; g < groups; g++)
        for (int p = 0; p < Panels; p++)
        {
            float* dst = Panel(g, p);
            for (int i = 0; i < mr; i++)
            {
                int row = p * mr + i;
                if (row >= rows) continue;   // padded rows stay zero
                ReadOnlySpan<float> src = a.Slice((g * rows + row) * cols, cols);
                for (int k = 0; k < cols; k++) dst[k * mr + i] = src[k];
            }
        }
    }

    /// <summary>Bytes held by the packed panels.</summary>
    public long Bytes => (long)_data.Length * sizeof(float);
}
