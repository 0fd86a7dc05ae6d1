namespace SharpConv.Ops;

/// <summary>Zero (or −∞ for max pooling) border around a feature map, each side on its own (asymmetric padding is allowed).</summary>
public readonly record struct Padding(int Top, int Left, int Bottom, int Right)
{
    /// <summary>The same padding on all four sides.</summary>
    public static implicit operator Padding(int all) => new(all, all, all, all);

    /// <summary>Symmetric padding: <paramref name="h"/> above and below, <paramref name="w"/> left and right.</summary>
    public static Padding Symmetric(int h, int w) => new(h, w, h, w);

    /// <summary>True when the padding is the same on opposite sides.</summary>
    public bool IsSymmetric => Top == Bottom && Left == Right;

    /// <summary>True when all sides are zero.</summary>
    public bool IsZero => Top == 0 && Left == 0 && Bottom == 0 && Right == 0;

    /// <summary><c>p1</c> for uniform padding, else <c>p(t,l,b,r)</c>.</summary>
    public override string ToString() =>
        Top == Left && Left == Bottom && Bottom == Right ? $"p{Top}" : $"p({Top},{Left},{Bottom},{Right})";
}
