namespace SharpConv.Tests;

public class TensorTests
{
    [Fact]
    public void ShapeFormatsAndCounts()
    {
        var s = new Shape(2, 3, 4, 5);
        Assert.Equal("2×3×4×5", s.ToString());
        Assert.Equal(120, s.ElementCount);
        Assert.Equal(60, s.ElementsFrom(1));
        Assert.Equal(new Shape(7, 3, 4, 5), s.WithBatch(7));
        Assert.Throws<ArgumentException>(() => new Shape(1, -2));
    }

    [Fact]
    public void TensorIndexesNchwRowMajor()
    {
        var t = new Tensor(new Shape(2, 3, 4, 5));
        t[1, 2, 3, 4] = 7f;
        Assert.Equal(7f, t.Span[119]);
        Assert.Throws<ShapeMismatchException>(() => new Tensor(new Shape(2, 2), new float[3]));
    }

    [Fact]
    public void SeededRandomIsDeterministic()
    {
        var a = Tensor.RandomNormal(new Shape(1000), 42);
        var b = Tensor.RandomNormal(new Shape(1000), 42);
        Assert.Equal(a.ToArray(), b.ToArray());
        double mean = a.ToArray().Average(), var = a.ToArray().Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.1, 0.1);
        Assert.InRange(var, 0.9, 1.1);
    }

    [Fact]
    public void HugeTensorIsRefusedBeforeAllocation()
    {
        var e = Assert.Throws<LimitExceededException>(() => new Tensor(new Shape(100000, 100000, 100)));
        Assert.Contains("100000×100000×100", e.Message);
    }
}
