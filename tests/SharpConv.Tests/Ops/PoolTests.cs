using SharpConv.Ops;
using static SharpConv.Tests.Ops.OpCheck;

namespace SharpConv.Tests.Ops;

public class PoolTests
{
    // ---------- MaxPool ----------

    [Fact]
    public void MaxPool2x2Stride2()
    {
        // 4×4 of 1..16 → max of each 2×2 block: 6 8 / 14 16
        AssertTensor([1, 1, 2, 2], [6, 8, 14, 16], Run(new MaxPool2d(2, 2), T([1, 1, 4, 4], Iota(16))));
    }

    [Fact]
    public void MaxPoolPaddingIsMinusInfinity()
    {
        // x = −1 −2 / −3 −4, k 2, s 1, p 1 → 3×3; padding must never win (zero padding would give 0 at the borders)
        // (0,0) {−1} = −1   (0,1) {−1,−2} = −1   (0,2) {−2} = −2
        // (1,0) {−1,−3} = −1  (1,1) all = −1   (1,2) {−2,−4} = −2
        // (2,0) {−3} = −3   (2,1) {−3,−4} = −3   (2,2) {−4} = −4
        var y = Run(new MaxPool2d(2, 1, padding: 1), T([1, 1, 2, 2], -1, -2, -3, -4));
        AssertTensor([1, 1, 3, 3], [-1, -1, -2, -1, -1, -2, -3, -3, -4], y);
    }

    [Fact]
    public void MaxPoolCeilModeAddsPartialWindow()
    {
        // x (2×5) = 1 5 2 8 3 / 4 0 7 6 9, k 2, s 2
        // floor: W' = ⌊(5−2)/2⌋+1 = 2: cols {0,1} → 5, {2,3} → 8
        // ceil:  W' = ⌈3/2⌉+1 = 3: third window cols {4, overhang} → max(3, 9) = 9
        var x = T([1, 1, 2, 5], 1, 5, 2, 8, 3, 4, 0, 7, 6, 9);
        AssertTensor([1, 1, 1, 2], [5, 8], Run(new MaxPool2d(2, 2), x));
        AssertTensor([1, 1, 1, 3], [5, 8, 9], Run(new MaxPool2d(2, 2, ceilMode: true), x));
    }

    [Fact]
    public void MaxPoolCeilModeDropsWindowStartingInRightPadding()
    {
        // H = W = 3, k 2, s 2, p 1, ceil: ⌈(3 + 2 − 2)/2⌉ + 1 = 3, but the 3rd window would start at 2·2 − 1 = 3 = H,
        // i.e. inside the right padding (rule: (P−1)·s ≥ H + pad_before → 4 ≥ 4), so it is dropped → 2×2.
        // x = 1 2 3 / 4 5 6 / 7 8 9; windows rows {0} and {1,2}, cols {0} and {1,2}
        // (0,0) = 1, (0,1) = max(2,3) = 3, (1,0) = max(4,7) = 7, (1,1) = max(5,6,8,9) = 9
        var y = Run(new MaxPool2d(2, 2, padding: 1, ceilMode: true), T([1, 1, 3, 3], Iota(9)));
        AssertTensor([1, 1, 2, 2], [1, 3, 7, 9], y);
        // floor mode agrees here
        AssertTensor([1, 1, 2, 2], [1, 3, 7, 9], Run(new MaxPool2d(2, 2, padding: 1), T([1, 1, 3, 3], Iota(9))));
    }

    [Fact]
    public void MaxPoolOverlapping3x3Stride2Padding1()
    {
        // ResNet stem pool on 4×4 of 1..16: P = ⌊(4+2−3)/2⌋+1 = 2; windows rows {0,1},{1,2,3}; cols the same
        // (0,0) = x[1][1] = 6, (0,1) = x[1][3] = 8, (1,0) = x[3][1] = 14, (1,1) = 16
        AssertTensor([1, 1, 2, 2], [6, 8, 14, 16], Run(new MaxPool2d(3, 2, padding: 1), T([1, 1, 4, 4], Iota(16))));
    }

    [Fact]
    public void MaxPoolPropagatesNaN()
    {
        var y = Run(new MaxPool2d(2, 2), T([1, 1, 2, 4], 1, float.NaN, 3, 4, 5, 6, 7, 8));
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(8f, y[1]);
    }

    [Fact]
    public void MaxPoolPlanesAreIndependent()
    {
        // N = 2, C = 2, each 2×2 plane → its max: planes 1..4, 5..8, 9..12, 13..16
        AssertTensor([2, 2, 1, 1], [4, 8, 12, 16], Run(new MaxPool2d(2, 2), T([2, 2, 2, 2], Iota(16))));
    }

    // ---------- AvgPool ----------

    [Fact]
    public void AvgPoolCountIncludePadTrueAndFalse()
    {
        // x = 1 2 / 3 4, k 2, s 1, p 1 → 3×3
        // window sums:        1  3  2 /  4 10  6 /  3  7  4
        // valid taps:         1  2  1 /  2  4  2 /  1  2  1
        // include pad (÷4): .25 .75 .5 / 1 2.5 1.5 / .75 1.75 1
        // exclude pad (÷valid): 1 1.5 2 / 2 2.5 3 / 3 3.5 4
        var x = T([1, 1, 2, 2], 1, 2, 3, 4);
        AssertTensor([1, 1, 3, 3], [0.25f, 0.75f, 0.5f, 1f, 2.5f, 1.5f, 0.75f, 1.75f, 1f],
            Run(new AvgPool2d(2, 1, padding: 1, countIncludePad: true), x));
        AssertTensor([1, 1, 3, 3], [1f, 1.5f, 2f, 2f, 2.5f, 3f, 3f, 3.5f, 4f],
            Run(new AvgPool2d(2, 1, padding: 1, countIncludePad: false), x));
    }

    [Fact]
    public void AvgPoolCeilOverhangIsNotCounted()
    {
        // x (1×5) = 1 2 3 4 5, window 1×2, stride 2, no padding, ceil → 3 outputs
        // (1+2)/2 = 1.5, (3+4)/2 = 3.5, last window {5, overhang} → 5/1 = 5 (the overhang never counts)
        var pool = new AvgPool2d(new PoolWindow(1, 2, 1, 2, 0, CeilMode: true), countIncludePad: true);
        AssertTensor([1, 1, 1, 3], [1.5f, 3.5f, 5f], Run(pool, T([1, 1, 1, 5], Iota(5))));
    }

    [Fact]
    public void AvgPoolCeilOverhangWithPadding()
    {
        // x (1×6) = 1..6, window 1×3, stride 2, pad left/right 1, ceil
        // W' = ⌈(6 + 2 − 3)/2⌉ + 1 = 4 (the 4th window starts at 5 < 6 + 1: kept); floor would give 3
        // windows: {pad,1,2} {2,3,4} {4,5,6} {6,pad,overhang}
        // include pad: 3/3 = 1, 9/3 = 3, 15/3 = 5, 6/2 = 3 (padding counts, the overhang does not)
        // exclude pad: 3/2 = 1.5, 3, 5, 6/1 = 6
        var x = T([1, 1, 1, 6], Iota(6));
        var window = new PoolWindow(1, 3, 1, 2, new Padding(0, 1, 0, 1), CeilMode: true);
        AssertTensor([1, 1, 1, 4], [1, 3, 5, 3], Run(new AvgPool2d(window, countIncludePad: true), x));
        AssertTensor([1, 1, 1, 4], [1.5f, 3, 5, 6], Run(new AvgPool2d(window, countIncludePad: false), x));
        AssertTensor([1, 1, 1, 3], [1, 3, 5], Run(new AvgPool2d(window with { CeilMode = false }), x));
    }

    [Fact]
    public void AvgPool2x2Stride2()
    {
        // 4×4 of 1..16 → block means (1+2+5+6)/4 = 3.5, 5.5, 11.5, 13.5
        AssertTensor([1, 1, 2, 2], [3.5f, 5.5f, 11.5f, 13.5f], Run(new AvgPool2d(2, 2), T([1, 1, 4, 4], Iota(16))));
    }

    // ---------- Adaptive / global ----------

    [Fact]
    public void AdaptiveAvgPoolNonDividing5To3()
    {
        // 5 → 3: windows [⌊i·5/3⌋, ⌈(i+1)·5/3⌉) = [0,2), [1,4), [3,5)
        // x = 1 2 3 4 5 → (1+2)/2 = 1.5, (2+3+4)/3 = 3, (4+5)/2 = 4.5
        AssertTensor([1, 1, 1, 3], [1.5f, 3f, 4.5f], Run(new AdaptiveAvgPool2d(1, 3), T([1, 1, 1, 5], Iota(5))));

        // 2-D, x[r][c] = 5r + c + 1: the mean over a window of a linear map is its value at the mean position;
        // mean row/col per window: 0.5, 2, 3.5 → y = 5·r̄ + c̄ + 1
        // row 0: 2.5+0.5+1 = 4, 5.5, 7;  row 1: 10+0.5+1 = 11.5, 13, 14.5;  row 2: 17.5+0.5+1 = 19, 20.5, 22
        AssertTensor([1, 1, 3, 3], [4, 5.5f, 7, 11.5f, 13, 14.5f, 19, 20.5f, 22],
            Run(new AdaptiveAvgPool2d(3, 3), T([1, 1, 5, 5], Iota(25))));
    }

    [Fact]
    public void AdaptiveAvgPoolDividingAndUpsampling()
    {
        // 4 → 2: windows [0,2), [2,4): 1 2 3 4 → 1.5, 3.5
        AssertTensor([1, 1, 1, 2], [1.5f, 3.5f], Run(new AdaptiveAvgPool2d(1, 2), T([1, 1, 1, 4], Iota(4))));
        // 2 → 3: windows [0,1), [0,2), [1,2): 1 3 → 1, 2, 3
        AssertTensor([1, 1, 1, 3], [1, 2, 3], Run(new AdaptiveAvgPool2d(1, 3), T([1, 1, 1, 2], 1, 3)));
        // to 1×1 it is the global mean: (1+…+6)/6 = 3.5
        AssertTensor([1, 1, 1, 1], [3.5f], Run(new AdaptiveAvgPool2d(1, 1), T([1, 1, 2, 3], Iota(6))));
    }

    [Fact]
    public void GlobalAvgAndMaxPool()
    {
        // N = 2, C = 2, 2×2 maps
        // n0 c0: 1 2 3 4 → avg 2.5, max 4;  n0 c1: −1 −2 −3 −8 → avg −3.5, max −1
        // n1 c0: 0 0 0 1 → avg .25, max 1;  n1 c1: 5 5 5 5 → 5, 5
        var x = T([2, 2, 2, 2], 1, 2, 3, 4, -1, -2, -3, -8, 0, 0, 0, 1, 5, 5, 5, 5);
        AssertTensor([2, 2, 1, 1], [2.5f, -3.5f, 0.25f, 5], Run(new GlobalAvgPool(), x));
        AssertTensor([2, 2, 1, 1], [4, -1, 1, 5], Run(new GlobalMaxPool(), x));
    }

    [Fact]
    public void PoolCountsAndShapes()
    {
        Assert.Equal(0, new MaxPool2d(3, 2).TrainableParameterCount);
        Assert.Equal(0, new AvgPool2d(3, 2).Macs([new Shape(1, 1, 8, 8)], new Shape(1, 1, 3, 3)));
        // AlexNet: 55 → ⌊(55 − 3)/2⌋ + 1 = 27; GoogLeNet ceil: 112 → ⌈(112 − 3)/2⌉ + 1 = 56 (floor would give 55)
        Assert.Equal(new Shape(1, 96, 27, 27), new MaxPool2d(3, 2).InferShape("p", [new Shape(1, 96, 55, 55)]));
        Assert.Equal(new Shape(1, 64, 56, 56), new MaxPool2d(3, 2, ceilMode: true).InferShape("p", [new Shape(1, 64, 112, 112)]));
        Assert.Equal(new Shape(1, 64, 55, 55), new MaxPool2d(3, 2).InferShape("p", [new Shape(1, 64, 112, 112)]));
        Assert.Equal(new Shape(2, 3, 1, 1), new GlobalAvgPool().InferShape("g", [new Shape(2, 3, 7, 5)]));
        Assert.Equal(new Shape(2, 3, 7, 7), new AdaptiveAvgPool2d(7, 7).InferShape("a", [new Shape(2, 3, 13, 13)]));
    }
}
