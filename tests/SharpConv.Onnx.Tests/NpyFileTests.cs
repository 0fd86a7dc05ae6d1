using System.Text;
using SharpConv.IO;

namespace SharpConv.Onnx.Tests;

public sealed class NpyFileTests
{
    [Theory]
    [InlineData(new int[] { 2, 3, 4 })]
    [InlineData(new int[] { 7 })]
    [InlineData(new int[] { })]
    [InlineData(new int[] { 1, 3, 5, 5 })]
    public void Write_then_read_round_trips(int[] dims)
    {
        var t = Tensor.RandomNormal(new Shape(dims), 42);
        using var ms = new MemoryStream();
        NpyFile.Write(ms, t);
        Assert.Equal(0, (ms.Length - t.Length * 4) % 64); // header padded to 64 bytes
        ms.Position = 0;
        var back = NpyFile.Read(ms);
        Assert.Equal(t.Shape, back.Shape);
        Assert.Equal(t.ToArray(), back.ToArray());
    }

    [Fact]
    public void Reads_float64_written_by_numpy()
    {
        // np.save of np.array([[1.5, -2.0]], dtype=np.float64), format 1.0.
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }";
        var bytes = Build(header, BitConverter.GetBytes(1.5).Concat(BitConverter.GetBytes(-2.0)).ToArray());
        var t = NpyFile.Read(new MemoryStream(bytes));
        Assert.Equal(new Shape(1, 2), t.Shape);
        Assert.Equal([1.5f, -2f], t.ToArray());
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "Fortran")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "dtype")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", "limit")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", "truncated")]
    public void Malformed_files_raise_typed_errors(string header, string expectedWord)
    {
        var bytes = Build(header, new byte[8]);
        var e = Assert.ThrowsAny<SharpConvException>(() => NpyFile.Read(new MemoryStream(bytes)));
        Assert.Contains(expectedWord, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Not_npy_is_a_model_format_error()
    {
        var e = Assert.Throws<ModelFormatException>(() => NpyFile.Read(new MemoryStream(Encoding.ASCII.GetBytes("PK\u0003\u0004 not numpy"))));
        Assert.Contains("magic", e.Message);
    }

    private static byte[] Build(string dict, byte[] data)
    {
        int total = 10 + dict.Length + 1;
        string header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        var pre = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8) };
        return pre.Concat(Encoding.ASCII.GetBytes(header)).Concat(data).ToArray();
    }
}
