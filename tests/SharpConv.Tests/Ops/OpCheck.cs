using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Ops;

namespace SharpConv.Tests.Ops;

/// <summary>Runs one op on hand-made tensors and compares with hand-computed values.</summary>
internal static class OpCheck
{
    /// <summary>A tensor of the given shape and values (row-major).</summary>
    public static Tensor T(int[] shape, params float[] data) => new(new Shape(shape), data);

    /// <summary>
    /// Runs <paramref name="op"/>'s reference kernel directly (into an output pre-filled with NaN, so a kernel that
    /// assumes a zeroed output is caught — compiled arenas reuse memory), and — unless <paramref name="compiled"/> is
    /// false — also as a one-op network compiled with the default options (first input fed, the others constants),
    /// checking both agree.
    /// </summary>
    public static Tensor Run(Op op, Tensor[] inputs, bool compiled = true)
    {
        var shape = op.InferShape("op", inputs.Select(t => t.Shape).ToArray());
        var y = new Tensor(shape);
        y.Span.Fill(float.NaN);
        op.RunReference(inputs, y);
        if (compiled)
        {
            var b = new NetworkBuilder("one-op");
            var values = new List<Value> { b.Input(inputs[0].Shape) };
            for (int i = 1; i < inputs.Length; i++) values.Add(b.Constant(inputs[i].Clone()));
            var net = b.Build(b.Add(op, values, "op"));
            using var c = net.Compile();
            var z = c.Run(inputs[0]);
            Assert.Equal(shape, z.Shape);
            AssertClose(y.ToArray(), z, 1e-5f);
        }
        return y;
    }

    /// <summary>Runs a one-input op.</summary>
    public static Tensor Run(Op op, Tensor input) => Run(op, [input]);

    /// <summary>
    /// Element-wise comparison with a tolerance relative to the magnitude of the expected value (at least 1);
    /// NaN must match NaN and infinities must match exactly.
    /// </summary>
    public static void AssertClose(float[] expected, Tensor actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"element {i}: expected NaN, found {a}"); continue; }
            if (float.IsInfinity(e)) { Assert.True(e == a, $"element {i}: expected {e}, found {a}"); continue; }
            Assert.True(Math.Abs(e - a) <= tolerance * Math.Max(1f, Math.Abs(e)), $"element {i}: expected {e}, found {a}");
        }
    }

    /// <summary>Checks shape and values.</summary>
    public static void AssertTensor(int[] shape, float[] expected, Tensor actual, float tolerance = 1e-6f)
    {
        Assert.Equal(new Shape(shape), actual.Shape);
        AssertClose(expected, actual, tolerance);
    }

    /// <summary>1, 2, 3 … n.</summary>
    public static float[] Iota(int n, float start = 1f) => Enumerable.Range(0, n).Select(i => start + i).ToArray();
}
