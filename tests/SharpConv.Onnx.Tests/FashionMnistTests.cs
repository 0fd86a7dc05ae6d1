using System.Buffers.Binary;
using System.Diagnostics;
using SharpConv.Compilation;
using Xunit.Abstractions;

namespace SharpConv.Onnx.Tests;

/// <summary>The trained Fashion-MNIST LeNet-5: the same prediction as PyTorch on all 10,000 test images.</summary>
public sealed class FashionMnistTests(ITestOutputHelper output)
{
    [Fact]
    public void LeNet5_predicts_like_pytorch_on_all_10000_test_images()
    {
        string dir = Path.Combine(TestData.Reference, "fashion_mnist_lenet5");
        var images = File.ReadAllBytes(Path.Combine(dir, "test_images.bin"));
        var labels = File.ReadAllBytes(Path.Combine(dir, "test_labels.bin"));
        var torchBytes = File.ReadAllBytes(Path.Combine(dir, "torch_predictions.bin"));
        var torchLogits = TestData.ReadBin(Path.Combine(dir, "torch_logits.bin"), new Shape(10000, 10));
        int count = labels.Length;
        Assert.Equal(10000, count);

        var sw = Stopwatch.StartNew();
        var network = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        using var compiled = network.Compile(new CompileOptions { Threads = 2 });
        const int batch = 500;
        int same = 0, correct = 0;
        double worst = 0;
        var mismatches = new List<string>();
        var x = new Tensor(new Shape(batch, 1, 32, 32));
        var y = new Tensor(new Shape(batch, 10));
        for (int start = 0; start < count; start += batch)
        {
            // Preprocessing (meta.json): 28×28 centred in 32×32 zeros, /255, (f − 0.2860) / 0.3530, all in float32.
            var xs = x.Span;
            xs.Clear();
            for (int b = 0; b < batch; b++)
                for (int r = 0; r < 32; r++)
                    for (int c = 0; c < 32; c++)
                    {
                        byte pixel = r is >= 2 and < 30 && c is >= 2 and < 30 ? images[(start + b) * 784 + (r - 2) * 28 + (c - 2)] : (byte)0;
                        float f = pixel / 255f;
                        xs[(b * 32 + r) * 32 + c] = (f - 0.2860f) / 0.3530f;
                    }
            compiled.Run(x, y);
            var predictions = TestData.ArgMax(y);
            for (int b = 0; b < batch; b++)
            {
                int i = start + b;
                int torch = BinaryPrimitives.ReadInt32LittleEndian(torchBytes.AsSpan(i * 4));
                if (predictions[b] == torch) same++; else mismatches.Add($"#{i}: SharpConv {predictions[b]}, PyTorch {torch}");
                if (predictions[b] == labels[i]) correct++;
                worst = Math.Max(worst, TestData.RelativeError(y.Span.Slice(b * 10, 10), torchLogits.Span.Slice(i * 10, 10)));
            }
        }
        output.WriteLine($"Fashion-MNIST LeNet-5: {same}/{count} predictions identical to PyTorch; accuracy {correct / (double)count:P2} " +
                         $"({correct}/{count}; PyTorch's meta.json: 90.00%); worst per-image logit rel err {worst:E2}; {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} predictions differ: {string.Join("; ", mismatches.Take(10))}");
    }
}
