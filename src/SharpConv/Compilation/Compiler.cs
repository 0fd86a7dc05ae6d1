using SharpConv.Graph;

namespace SharpConv.Compilation;

/// <summary>Runs the compile passes in order and builds the <see cref="CompiledNetwork"/>.</summary>
public static class Compiler
{
    /// <summary>
    /// The passes, in order: remove identities → fold BatchNorm → fuse residual adds → fuse activations → move the
    /// remaining BatchNorms into the 1×1 convolutions they feed → fuse max pools into the stems that feed them → choose
    /// kernels. The memory plan is made per batch
    /// size when a batch size is first run (see <see cref="ExecutionPlan"/>).
    /// </summary>
    public static IReadOnlyList<ICompilePass> Passes { get; } =
        [new RemoveIdentitiesPass(), new FoldBatchNormPass(), new FuseResidualPass(), new FuseActivationPass(), new FuseInputNormPass(), new FuseConvPoolPass(), new SelectKernelsPass()];

    /// <summary>Compiles <paramref name="network"/>.</summary>
    public static CompiledNetwork Compile(Network network, CompileOptions options)
    {
        if (options.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be ≥ 1.");
        var graph = new CompilationGraph(network);
        foreach (var pass in Passes) pass.Apply(graph, options);
        return new CompiledNetwork(network, graph, options);
    }
}
