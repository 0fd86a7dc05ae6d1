using SharpConv.Compilation;
using SharpConv.Graph;
using SharpConv.Imaging;
using SharpConv.Ops;
using StbImageWriteSharp;

namespace SharpConv.Cli.Report;

/// <summary>
/// ZFNet-style pictures (Zeiler &amp; Fergus 2013, figs. 2 and 6): the first layer's filters as a grid of small
/// images, and the feature maps one layer produces for one input photo. Everything is 8-bit RGB pixels, written as
/// PNG (StbImageWriteSharp) for the CLI or as <c>data:</c> URIs for the report.
/// </summary>
/// <remarks>
/// Each tile is contrast-stretched on its own (min → black, max → white), as in the papers' figures: the shapes of the
/// patterns are the point, not their absolute scale, and one strong filter would otherwise wash out all the others.
/// </remarks>
public static class Pictures
{
    private const byte Background = 255;
    private const int Gap = 2;

    /// <summary>The first convolution of <paramref name="network"/> in execution order.</summary>
    /// <exception cref="CliException">The network has no convolution.</exception>
    public static Node FirstConv(Network network) =>
        network.Nodes.FirstOrDefault(n => n.Op is Conv2d) ?? throw new CliException($"network '{network.Name}' has no convolution.");

    /// <summary>The node called <paramref name="name"/>, or a <see cref="CliException"/> that shows the naming scheme.</summary>
    public static Node Layer(Network network, string name)
    {
        if (network.TryGetNode(name, out var node)) return node;
        var convs = network.Nodes.Where(n => n.Op is Conv2d or MaxPool2d or Relu).Take(10).Select(n => n.Name);
        throw new CliException($"network '{network.Name}' has no layer '{name}'. Layers include: {string.Join(", ", convs)} … (see `sharpconv summary`).");
    }

    /// <summary>
    /// The filters of convolution <paramref name="node"/> as a grid, one tile per output channel. A filter over 3 input
    /// channels is drawn in colour (its weights on R, G, B — the classic AlexNet/ZFNet picture); over another number of
    /// channels, in grey as the mean over input channels.
    /// </summary>
    /// <exception cref="CliException">The node is not a convolution.</exception>
    public static Image FilterGrid(Node node)
    {
        if (node.Op is not Conv2d conv) throw new CliException($"layer '{node.Name}' is a {node.Op.Kind}, not a convolution: it has no filters to draw.");
        int k = conv.OutChannels, c = conv.InChannels / conv.Groups, r = conv.KernelH, s = conv.KernelW;
        bool rgb = c == 3;
        ReadOnlySpan<float> w = conv.Weight.Value.Span; // [K, C/G, R, S]
        // Tiles of at least ~40 px: an 11×11 filter drawn 1:1 is too small to see.
        int scale = Math.Max(1, (int)Math.Ceiling(40.0 / Math.Max(r, s)));
        var tiles = new List<byte[]>(k);
        var tile = new float[r * s * (rgb ? 3 : 1)];
        for (int o = 0; o < k; o++)
        {
            Array.Clear(tile);
            for (int y = 0; y < r; y++)
                for (int x = 0; x < s; x++)
                {
                    if (rgb)
                        for (int ch = 0; ch < 3; ch++) tile[(y * s + x) * 3 + ch] = w[((o * c + ch) * r + y) * s + x];
                    else
                    {
                        float sum = 0;
                        for (int ch = 0; ch < c; ch++) sum += w[((o * c + ch) * r + y) * s + x];
                        tile[y * s + x] = sum / c;
                    }
                }
            tiles.Add(Stretch(tile));
        }
        return Grid(tiles, s, r, rgb ? 3 : 1, scale);
    }

    /// <summary>
    /// The feature maps of a [1, C, H, W] activation as a grid of grey tiles (at most <paramref name="maxMaps"/>, the
    /// first channels).
    /// </summary>
    /// <exception cref="CliException">The activation is not a stack of 2-D maps (e.g. the output of a fully connected layer).</exception>
    public static Image FeatureMapGrid(Tensor activation, int maxMaps = 64, string layer = "layer")
    {
        var shape = activation.Shape;
        if (shape.Rank != 4) throw new CliException($"layer '{layer}' outputs {shape}, not a stack of 2-D feature maps; pick a convolution, activation or pooling layer.");
        int ch = Math.Min(shape.C, Math.Max(1, maxMaps)), h = shape.H, w = shape.W;
        int scale = Math.Max(1, (int)Math.Ceiling(48.0 / Math.Max(h, w)));
        var span = activation.Span;
        var tiles = new List<byte[]>(ch);
        for (int m = 0; m < ch; m++) tiles.Add(Stretch(span.Slice(m * h * w, h * w)));
        return Grid(tiles, w, h, 1, scale);
    }

    /// <summary>
    /// The tensor <paramref name="network"/> expects for <paramref name="photo"/>: ImageNet preprocessing (resize, centre
    /// crop, normalise) for 3-channel inputs, the Fashion-MNIST transform for 1×32×32 LeNets, grey resize-and-crop otherwise.
    /// </summary>
    public static Tensor InputFor(Network network, Image photo)
    {
        var s = network.InputShape;
        if (s.Rank != 4) throw new CliException($"network '{network.Name}' takes {s}, not an image.");
        int c = s.C, h = s.H, w = s.W;
        Preprocess p = c switch
        {
            3 => h == w ? Preprocess.ImageNet(h, (int)Math.Round(h * 256.0 / 224)) : Preprocess.ImageNet().Resize(w, h),
            1 when h == 32 && w == 32 => Preprocess.FashionMnist(),
            1 => new Preprocess().Grayscale().Resize(Math.Max(h, w)).CenterCrop(w, h).Normalize([0.5f], [0.5f]),
            _ => throw new CliException($"network '{network.Name}' takes {c} input channels; only grey (1) and RGB (3) images can be fed."),
        };
        return p.Apply(photo);
    }

    /// <summary>Runs <paramref name="network"/> up to <paramref name="layer"/> on <paramref name="input"/> and returns that layer's output.</summary>
    public static Tensor Activation(Network network, string layer, Tensor input, int threads, CancellationToken cancellation = default)
    {
        var node = Layer(network, layer);
        using var compiled = network.Truncate(node.Name).Compile(new CompileOptions { Threads = threads });
        var plan = compiled.PlanFor(input.Shape[0]);
        var output = new Tensor(plan.SlotShapes[plan.OutputSlots[0]]);
        compiled.Run(input, output, cancellation);
        return output;
    }

    /// <summary>Encodes <paramref name="image"/> (1 or 3 channels) as PNG.</summary>
    public static byte[] Png(Image image)
    {
        using var stream = new MemoryStream();
        var components = image.Channels switch
        {
            1 => ColorComponents.Grey,
            3 => ColorComponents.RedGreenBlue,
            4 => ColorComponents.RedGreenBlueAlpha,
            _ => throw new ArgumentException($"cannot write a {image.Channels}-channel PNG.", nameof(image)),
        };
        new ImageWriter().WritePng(image.Pixels, image.Width, image.Height, components, stream);
        return stream.ToArray();
    }

    /// <summary>A <c>data:image/png;base64,…</c> URI, for embedding in HTML.</summary>
    public static string DataUri(Image image) => "data:image/png;base64," + Convert.ToBase64String(Png(image));

    private static byte[] Stretch(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values) { if (v < min) min = v; if (v > max) max = v; }
        var bytes = new byte[values.Length];
        // A constant map (a dead ReLU channel is common) is drawn black rather than divided by zero.
        if (!(max > min)) return bytes;
        float k = 255f / (max - min);
        for (int i = 0; i < values.Length; i++) bytes[i] = (byte)Math.Clamp((int)MathF.Round((values[i] - min) * k), 0, 255);
        return bytes;
    }

    /// <summary>Lays tiles of <paramref name="w"/>×<paramref name="h"/>×<paramref name="channels"/> out in a near-square grid, each scaled up by <paramref name="scale"/> (nearest neighbour: pixels stay crisp).</summary>
    private static Image Grid(IReadOnlyList<byte[]> tiles, int w, int h, int channels, int scale)
    {
        int n = tiles.Count;
        int cols = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(n)));
        int rows = (n + cols - 1) / cols;
        int tw = w * scale, th = h * scale;
        int width = cols * tw + (cols + 1) * Gap, height = rows * th + (rows + 1) * Gap;
        var pixels = new byte[(long)width * height * 3];
        Array.Fill(pixels, Background);
        for (int t = 0; t < n; t++)
        {
            int x0 = Gap + (t % cols) * (tw + Gap), y0 = Gap + (t / cols) * (th + Gap);
            var tile = tiles[t];
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++)
                {
                    int src = ((y / scale) * w + x / scale) * channels;
                    long dst = ((long)(y0 + y) * width + x0 + x) * 3;
                    for (int ch = 0; ch < 3; ch++) pixels[dst + ch] = tile[src + (channels == 3 ? ch : 0)];
                }
        }
        return new Image(width, height, 3, pixels);
    }
}
