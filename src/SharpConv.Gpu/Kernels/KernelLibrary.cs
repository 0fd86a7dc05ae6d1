using ILGPU;
using ILGPU.Runtime;

namespace SharpConv.Gpu.Kernels;

/// <summary>
/// The backend's kernels, compiled for one accelerator on first use and cached for its lifetime. ILGPU compiles a
/// kernel from its IL when it is loaded (a PTX / OpenCL C / CPU build), which takes milliseconds to a second, so
/// <see cref="GpuNetwork.Create(SharpConv.Compilation.CompiledNetwork, GpuOptions?)"/> touches every kernel its layers need —
/// a run never compiles anything. Access is serialised by the owning <see cref="GpuAccelerator"/>'s gate.
/// </summary>
internal sealed class KernelLibrary(Accelerator accelerator)
{
    private Action<KernelConfig, GemmArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _gemm;
    private Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>>? _im2col;
    private Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _direct;
    private Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>>? _winogradIn;
    private Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _winogradOut;
    private Action<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>>? _maxPool, _avgPool, _adaptivePool;
    private Action<Index1D, int, int, ArrayView<float>, ArrayView<float>>? _globalPool;
    private Action<Index1D, UnaryArgs, ArrayView<float>, ArrayView<float>>? _unary;
    private Action<Index1D, BinaryArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _binary;
    private Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _channelAffine;
    private Action<Index1D, CopyArgs, ArrayView<float>, ArrayView<float>>? _copyBlocks;
    private Action<Index1D, ZeroPadArgs, ArrayView<float>, ArrayView<float>>? _zeroPad;
    private Action<Index1D, int, int, float, ArrayView<float>, ArrayView<float>>? _meanTerm;
    private Action<Index1D, LrnArgs, ArrayView<float>, ArrayView<float>>? _lrn;
    private Action<Index1D, SoftmaxArgs, ArrayView<float>, ArrayView<float>>? _softmax;

    /// <summary>The accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; } = accelerator;

    // Explicitly grouped: the GEMM needs its 16×16 group for the shared tiles and barriers.
    public Action<KernelConfig, GemmArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> Gemm =>
        _gemm ??= Accelerator.LoadStreamKernel<GemmArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(GemmKernel.Run);

    // The rest are one thread per element; ILGPU picks the group size.
    public Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>> Im2Col =>
        _im2col ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>>(Im2ColKernel.Run);
    public Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> DirectConv =>
        _direct ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DirectConvKernel.Run);
    public Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>> WinogradInput =>
        _winogradIn ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>>(WinogradKernels.Input);
    public Action<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> WinogradOutput =>
        _winogradOut ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ConvArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(WinogradKernels.Output);
    public Action<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>> MaxPool =>
        _maxPool ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>>(PoolKernels.Max);
    public Action<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>> AvgPool =>
        _avgPool ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>>(PoolKernels.Average);
    public Action<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>> AdaptivePool =>
        _adaptivePool ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, PoolArgs, ArrayView<float>, ArrayView<float>>(PoolKernels.Adaptive);
    public Action<Index1D, int, int, ArrayView<float>, ArrayView<float>> GlobalPool =>
        _globalPool ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(PoolKernels.Global);
    public Action<Index1D, UnaryArgs, ArrayView<float>, ArrayView<float>> Unary =>
        _unary ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, UnaryArgs, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Unary);
    public Action<Index1D, BinaryArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>> Binary =>
        _binary ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, BinaryArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Binary);
    public Action<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> ChannelAffine =>
        _channelAffine ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ChannelAffine);
    public Action<Index1D, CopyArgs, ArrayView<float>, ArrayView<float>> CopyBlocks =>
        _copyBlocks ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, CopyArgs, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.CopyBlocks);
    public Action<Index1D, ZeroPadArgs, ArrayView<float>, ArrayView<float>> ChannelZeroPad =>
        _zeroPad ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ZeroPadArgs, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ChannelZeroPad);
    public Action<Index1D, int, int, float, ArrayView<float>, ArrayView<float>> MeanTerm =>
        _meanTerm ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, float, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.MeanTerm);
    public Action<Index1D, LrnArgs, ArrayView<float>, ArrayView<float>> Lrn =>
        _lrn ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, LrnArgs, ArrayView<float>, ArrayView<float>>(NormKernels.Lrn);
    public Action<Index1D, SoftmaxArgs, ArrayView<float>, ArrayView<float>> Softmax =>
        _softmax ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, SoftmaxArgs, ArrayView<float>, ArrayView<float>>(NormKernels.Softmax);
}
