using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>One step of a compiled network: a kernel reading some value slots and writing one.</summary>
public sealed class CompiledStep
{
    internal CompiledStep(int index, CompiledNode node, int[] inputSlots, int outputSlot, Shape[] inputShapes, Shape outputShape)
    {
        Index = index; Node = node; InputSlots = inputSlots; OutputSlot = outputSlot; InputShapes = inputShapes; OutputShape = outputShape;
        Macs = node.Op.Macs(inputShapes, outputShape);
    }
    /// <summary>Position in execution order.</summary>
    public int Index { get; }
    internal CompiledNode Node { get; }
    /// <summary>The layer's name (the main layer's, when others were fused into it).</summary>
    public string Name => Node.DisplayName;
    /// <summary>The name of the value the step writes (the last fused node's).</summary>
    public string OutputName => Node.Name;
    /// <summary>The (possibly rewritten) op.</summary>
    public Op Op => Node.Op;
    /// <summary>The layer type.</summary>
    public string Kind => Node.Op.Kind;
    /// <summary>The kernel's algorithm name at this plan's batch size.</summary>
    public string Algorithm => InPlace ? "in place" : Node.Kernel!.AlgorithmFor(InputShapes, OutputShape);
    /// <summary>Builder scope of the original node.</summary>
    public string Scope => Node.Scope;
    /// <summary>Original nodes folded or fused into this step.</summary>
    public IReadOnlyList<string> Absorbed => Node.Absorbed;
    /// <summary>Slots read.</summary>
    public IReadOnlyList<int> InputSlots { get; }
    /// <summary>Slot written.</summary>
    public int OutputSlot { get; }
    /// <summary>Input shapes at this plan's batch size.</summary>
    public IReadOnlyList<Shape> InputShapes { get; }
    /// <summary>Output shape at this plan's batch size.</summary>
    public Shape OutputShape { get; }
    /// <summary>Multiply-accumulates at this plan's batch size.</summary>
    public long Macs { get; }
    internal Kernel Kernel => Node.Kernel!;
    /// <summary>A concatenation whose inputs were written into place by their producers: nothing left to do.</summary>
    public bool InPlace { get; internal init; }
}

/// <summary>Steps <see cref="First"/>…<see cref="Last"/> of a plan that the parts of the batch run apart, and the slots
/// copied from the whole batch's arena into a part's before them (<see cref="CopyIn"/>) and back after them
/// (<see cref="CopyOut"/>). See <see cref="ExecutionPlan.Segments"/>.</summary>
/// <param name="InPartArenas">Whether the parts run the segment in their own arenas. If not (its copies would cost
/// more than running ahead saves), they run it step by step on their images of the whole arena, copying nothing.</param>
internal sealed record StepSegment(int First, int Last, bool InPartArenas, int[] CopyIn, int[] CopyOut);

/// <summary>
/// Everything that depends on the batch size: shapes, the step list, and the arena layout. Values whose lifetimes do
/// not overlap share arena memory (first-fit over a liveness scan), so a forward pass needs far less than the sum of
/// all activations, and nothing is allocated per run.
/// </summary>
public sealed class ExecutionPlan
{
    internal ExecutionPlan(CompilationGraph graph, int batch, bool concatInPlace = true) : this(graph, batch, concatInPlace, null) { }

    /// <param name="graph">The compiled graph.</param>
    /// <param name="batch">Images.</param>
    /// <param name="concatInPlace">Whether concatenations may be written in place (when no placement is given).</param>
    /// <param name="placement">A placement to keep instead of planning one: a part of a batch
    /// (<see cref="ForPart"/>) keeps the whole batch's, so both have the same steps and the same concatenations in place.</param>
    private ExecutionPlan(CompilationGraph graph, int batch, bool concatInPlace, ConcatPlacement? placement)
    {
        Batch = batch;
        _graph = graph;
        var nodes = graph.Nodes;
        var slotOf = new Dictionary<CompiledNode, int>();
        var shapes = new List<Shape>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            Shape s;
            if (n.Op is Input input) s = input.Shape.WithBatch(batch);
            else
            {
                var ins = n.Inputs.Select(x => shapes[slotOf[x]]).ToArray();
                s = n.Op.InferShape(n.Name, ins);
            }
            Limits.CheckTensorElements(s, $"{n.Name} output at batch {batch}");
            slotOf[n] = shapes.Count;
            shapes.Add(s);
        }
        SlotShapes = shapes;

        // Liveness: a slot is live from its producer's step to its last reader's step; outputs live to the end.
        int count = nodes.Count;
        var lastUse = new int[count];
        for (int i = 0; i < count; i++) lastUse[i] = i;
        for (int i = 0; i < count; i++)
            foreach (var input in nodes[i].Inputs) lastUse[slotOf[input]] = Math.Max(lastUse[slotOf[input]], i);
        var isOutput = new bool[count];
        foreach (var o in graph.Outputs) { lastUse[slotOf[o]] = int.MaxValue; isOutput[slotOf[o]] = true; }

        // Concatenations in place: each input is written by its producer straight into its channel range of the
        // concatenation (or of an enclosing one), so the copy disappears; see ConcatPlacement.
        // A placement valid at some batch is valid at a smaller one (only batch 1 allows more), so a part keeps the whole's.
        placement ??= concatInPlace ? ConcatPlacement.Plan(nodes, slotOf, shapes, isOutput, batch) : ConcatPlacement.None(count);
        _placement = placement;
        var root = new int[count];
        var channelOffset = new long[count];
        for (int i = 0; i < count; i++)
        {
            int r = i; long co = 0;
            while (placement.Parent[r] >= 0) { co += placement.ChannelOffset[r]; r = placement.Parent[r]; }
            root[i] = r; channelOffset[i] = co;
        }
        // A root buffer lives from the first step that writes any of its members to the last read of any of them.
        var start = new int[count];
        var end = new int[count];
        for (int i = 0; i < count; i++) { start[i] = nodes[i].Op is Input ? -1 : i; end[i] = lastUse[i]; }
        for (int i = 0; i < count; i++)
        {
            int r = root[i];
            if (r == i) continue;
            start[r] = Math.Min(start[r], start[i]);
            end[r] = Math.Max(end[r], end[i]);
        }

        _root = root;
        _channelOffset = channelOffset;
        _start = start;
        _end = end;
        IsConstantSlot = nodes.Select(n => n.Op is Constant).ToArray();
        var offsets = new long[count];
        SlotOffsets = offsets;
        ArenaElements = Layout(_ => true, offsets);
        SlotImageStrides = Enumerable.Range(0, count).Select(i => shapes[root[i]].ElementsFrom(1)).ToArray();
        InPlaceConcats = placement.InPlace.Count(v => v);

        var steps = new List<CompiledStep>();
        long scratch = 0;
        for (int i = 0; i < count; i++)
        {
            var n = nodes[i];
            if (n.Op is Input || n.Op is Constant) continue;
            var inSlots = n.Inputs.Select(x => slotOf[x]).ToArray();
            var inShapes = inSlots.Select(s => shapes[s]).ToArray();
            steps.Add(new CompiledStep(steps.Count, n, inSlots, i, inShapes, shapes[i]) { InPlace = placement.InPlace[i] });
            scratch = Math.Max(scratch, n.Kernel!.ScratchElements(inShapes, shapes[i]));
        }
        Steps = steps;
        ScratchElements = scratch;
        // Steps whose images may run apart: the kernel computes each image alone, every tensor it touches is an
        // activation of this batch (a constant or a reshaped batch would not split along images), and its weights are
        // few enough for every thread to read them all.
        bool HasBatch(int slot) => !IsConstantSlot[slot] && shapes[slot].Rank >= 1 && shapes[slot][0] == batch;
        _splitsBatch = steps.Select(step => !step.InPlace && step.Kernel.ImageWise && step.Kernel.WeightElements <= BatchSplit.MaxWeightElements
            && HasBatch(step.OutputSlot) && step.InputSlots.All(HasBatch)).ToArray();
        InputSlots = graph.Inputs.Select(n => slotOf[n]).ToArray();
        OutputSlots = graph.Outputs.Select(n => slotOf[n]).ToArray();
        Segments = FindSegments();
        _partsOnlyOffsets = PartsOnlyLayout(out long partsOnlyArena);
        PartsOnlyArenaElements = partsOnlyArena;
        ConstantValues = nodes.Select(n => n.Op is Constant c ? c.Value : null).ToArray();
        if (ArenaElements + ScratchElements > Limits.MaxTotalElements)
            throw new LimitExceededException($"arena at batch {batch}", $"{ArenaElements + ScratchElements:N0} floats", Limits.MaxTotalElements);
        if (ArenaElements > Array.MaxLength || ScratchElements > Array.MaxLength)
            throw new LimitExceededException($"arena at batch {batch}", $"{ArenaElements:N0} floats", Array.MaxLength);
    }

    /// <summary>The same network planned for a part of this batch: the same steps, the same concatenations in place,
    /// its own arena layout. Made once and kept: every run context of this plan asks for the same part.</summary>
    internal ExecutionPlan ForPart(int batch)
    {
        // A race between two contexts made at once builds the same plan twice; either result serves.
        var part = _part;
        if (part is null || part.Batch != batch) _part = part = new(_graph, batch, concatInPlace: true, _placement);
        return part;
    }
    private ExecutionPlan? _part;

    /// <summary>Tensor views of every slot over an arena of <see cref="ArenaElements"/> floats (constants: their own
    /// tensors).</summary>
    internal Tensor[] SlotViews(Memory<float> arena) => SlotViews(arena, partsOnly: false)!;

    /// <summary>
    /// Tensor views of the slots over the whole batch's arena. With <paramref name="partsOnly"/> (a run whose batch
    /// parts take every image; the arena has <see cref="PartsOnlyArenaElements"/> floats) the values that live only
    /// in the parts' arenas have no view here (null).
    /// </summary>
    internal Tensor?[] SlotViews(Memory<float> arena, bool partsOnly)
    {
        var offsets = partsOnly && _partsOnlyOffsets is not null ? _partsOnlyOffsets : (long[])SlotOffsets;
        var slots = new Tensor?[SlotShapes.Count];
        for (int i = 0; i < slots.Length; i++)
        {
            var shape = SlotShapes[i];
            // A value written into a wider concatenation has its images a concatenation image apart; any other, one
            // image apart.
            long stride = SlotImageStrides[i];
            slots[i] = IsConstantSlot[i] ? ConstantValues[i]!
                : offsets[i] < 0 ? null
                : new Tensor(shape, arena.Slice((int)offsets[i], (int)Tensor.ViewLength(shape, stride)), stride);
        }
        return slots;
    }

    /// <summary>
    /// Runs of consecutive steps that split the batch (<see cref="SplitsBatch"/>; in-place concatenations, which do
    /// nothing, may sit between them), with what each must copy between the whole batch's arena and a part's.
    /// <para>
    /// A part runs a segment's steps one after another in its own arena, with no barrier between steps; the whole
    /// arena holds what the other steps read and write. A segment therefore copies in, for its images, every value
    /// it reads that a step outside such segments (or the caller) wrote, and copies out every value it wrote that such a
    /// step, or the caller, reads later. Values written in one segment and read in another stay in the parts' arenas,
    /// whose liveness keeps them. "A value" here is what one step writes: a concatenation written in place is the
    /// values its inputs' producers wrote into it.
    /// </para>
    /// <para>
    /// A segment whose copies are large next to its arithmetic (fewer than <see cref="MacsPerCopiedFloat"/>
    /// multiply-adds per float copied, such as a lone pooling step between two layers too big to split) stays in the
    /// whole arena, step by step (<see cref="StepSegment.InPartArenas"/> false): what it saves in waiting is less than
    /// what the copies cost. Its steps then count as outside the segments for the others' copies.
    /// </para>
    /// </summary>
    internal IReadOnlyList<StepSegment> Segments { get; }

    /// <summary>The index in <see cref="Segments"/> of the segment holding step <paramref name="step"/>, or −1.</summary>
    internal int SegmentOf(int step) => _segmentOf[step];
    private int[] _segmentOf = [];

    /// <summary>Multiply-adds per copied float that a segment needs to run in the parts' arenas. A float copied costs
    /// a read and a write through memory, about what ten multiply-adds cost on one core; at 1000 the copies are
    /// about 1 % of the segment's arithmetic, below what the barriers it drops cost.</summary>
    internal static long MacsPerCopiedFloat = DefaultMacsPerCopiedFloat;

    /// <summary>The default of <see cref="MacsPerCopiedFloat"/> (tests set 0 to run every segment in the parts' arenas).</summary>
    internal const long DefaultMacsPerCopiedFloat = 1000;

    private IReadOnlyList<StepSegment> FindSegments()
    {
        int stepCount = Steps.Count;
        var segmentOf = new int[stepCount + 1];
        Array.Fill(segmentOf, -1);
        _segmentOf = segmentOf;
        var bounds = new List<(int First, int Last)>();
        for (int s = 0; s < stepCount;)
        {
            if (!_splitsBatch[s]) { s++; continue; }
            int last = s;
            for (int t = s + 1; t < stepCount && (_splitsBatch[t] || Steps[t].InPlace); t++)
                if (_splitsBatch[t]) last = t;
            for (int t = s; t <= last; t++) segmentOf[t] = bounds.Count;
            bounds.Add((s, last));
            s = last + 1;
        }
        if (bounds.Count == 0) return [];

        // Who wrote each slot's own values: its step (unless an in-place concatenation, which writes nothing), or the
        // caller (network inputs, step −1). Constants are never copied.
        var writer = new int[SlotShapes.Count];
        Array.Fill(writer, int.MinValue);
        foreach (int input in InputSlots) writer[input] = -1;
        foreach (var step in Steps)
            if (!step.InPlace) writer[step.OutputSlot] = step.Index;
        var leaves = Enumerable.Range(0, writer.Length).Where(slot => writer[slot] != int.MinValue && !IsConstantSlot[slot]).ToArray();

        var macs = bounds.Select(b => Enumerable.Range(b.First, b.Last - b.First + 1).Sum(s => Steps[s].Macs)).ToArray();
        var inParts = bounds.Select(_ => true).ToArray();
        SortedSet<int>[] copyIn, copyOut;
        while (true)
        {
            // Where each step's values live: a part arena (its segment runs in them) or the whole arena (−1).
            int Arena(int step) => step >= 0 && segmentOf[step] >= 0 && inParts[segmentOf[step]] ? segmentOf[step] : -1;
            copyIn = bounds.Select(_ => new SortedSet<int>()).ToArray();
            copyOut = bounds.Select(_ => new SortedSet<int>()).ToArray();
            void Read(int slot, int reader)
            {
                if (IsConstantSlot[slot]) return;
                foreach (int leaf in leaves)
                {
                    if (writer[leaf] >= reader || !Overlaps(leaf, slot)) continue;
                    int readerArena = Arena(reader), writerArena = Arena(writer[leaf]);
                    if (readerArena >= 0 && writerArena < 0) copyIn[readerArena].Add(leaf);
                    else if (readerArena < 0 && writerArena >= 0) copyOut[writerArena].Add(leaf);
                }
            }
            foreach (var step in Steps)
                if (!step.InPlace)
                    foreach (int slot in step.InputSlots) Read(slot, step.Index);
            // The caller reads the outputs after the last step (segmentOf[stepCount] is −1: outside every segment).
            foreach (int slot in OutputSlots) Read(slot, stepCount);

            // Moving a segment to the whole arena only adds copies to the others, so this ends.
            bool moved = false;
            for (int g = 0; g < bounds.Count; g++)
            {
                if (!inParts[g]) continue;
                long copied = copyIn[g].Concat(copyOut[g]).Sum(slot => SlotShapes[slot].ElementCount);
                if (copied == 0 || macs[g] / copied >= MacsPerCopiedFloat) continue;
                inParts[g] = false;
                moved = true;
            }
            if (!moved) break;
        }
        return bounds.Select((b, i) => inParts[i]
            ? new StepSegment(b.First, b.Last, true, copyIn[i].ToArray(), copyOut[i].ToArray())
            : new StepSegment(b.First, b.Last, false, [], [])).ToArray();
    }

    /// <summary>
    /// First-fit over the liveness scan: each root slot that <paramref name="placed"/> takes gets memory beside the
    /// roots live at the same time (−1 for the others and for constants, which live in their own tensors); a value
    /// written into a concatenation in place lies at its channel offset in its root. Returns the floats needed.
    /// </summary>
    private long Layout(Func<int, bool> placed, long[] offsets)
    {
        int count = offsets.Length;
        var live = new List<(long Offset, long Length, int Slot)>();
        long arena = 0;
        // Network inputs are copied in before the first step runs, so they are live from the start wherever they
        // appear in the node order (a second input may first be read near the end): they start at −1.
        var allocationOrder = Enumerable.Range(0, count).Where(i => _root[i] == i).OrderBy(i => _start[i]).ThenBy(i => i);
        foreach (int i in allocationOrder)
        {
            if (IsConstantSlot[i] || !placed(i)) { offsets[i] = -1; continue; }
            live.RemoveAll(b => _end[b.Slot] < _start[i]);
            long length = AlignUp(SlotShapes[i].ElementCount);
            long offset = 0;
            foreach (var b in live.OrderBy(b => b.Offset))
            {
                if (b.Offset - offset >= length) break;
                offset = Math.Max(offset, b.Offset + b.Length);
            }
            live.Add((offset, length, i));
            offsets[i] = offset;
            arena = Math.Max(arena, offset + length);
        }
        for (int i = 0; i < count; i++)
            if (_root[i] != i)
                offsets[i] = offsets[_root[i]] < 0 ? -1 : offsets[_root[i]] + _channelOffset[i] * SlotShapes[_root[i]].ElementsFrom(2);
        return arena;
    }

    /// <summary>
    /// The whole batch's arena for a run whose parts take every image (the batch a multiple of the threads): only the
    /// values that steps outside the parts' arenas read or write, and the network's inputs and outputs, get memory.
    /// That covers every copy: a segment copies in what such a step (or the caller) wrote and copies out what such a
    /// step (or the caller) reads. Null when no segment runs in the parts' arenas.
    /// </summary>
    private long[]? PartsOnlyLayout(out long arena)
    {
        arena = ArenaElements;
        if (!Segments.Any(g => g.InPartArenas)) return null;
        int count = SlotShapes.Count;
        var needed = new bool[count];
        foreach (int slot in InputSlots.Concat(OutputSlots)) needed[slot] = true;
        foreach (var step in Steps)
        {
            if (step.InPlace || RunsInPartArenas(step.Index)) continue;
            needed[step.OutputSlot] = true;
            foreach (int slot in step.InputSlots) needed[slot] = true;
        }
        var rootNeeded = new bool[count];
        for (int i = 0; i < count; i++) rootNeeded[_root[i]] |= needed[i];
        var offsets = new long[count];
        arena = Layout(i => rootNeeded[i], offsets);
        return offsets;
    }

    /// <summary>Whether step <paramref name="step"/> runs in the parts' arenas when the batch is cut.</summary>
    internal bool RunsInPartArenas(int step) => _segmentOf[step] >= 0 && Segments[_segmentOf[step]].InPartArenas;

    /// <summary>Floats of the whole batch's arena when the batch's parts take every image (see
    /// <see cref="SlotViews(Memory{float}, bool)"/>): at most <see cref="ArenaElements"/>.</summary>
    internal long PartsOnlyArenaElements { get; }

    /// <summary>Whether two slots share memory: the same root buffer and overlapping channel ranges in it.</summary>
    private bool Overlaps(int a, int b) =>
        a == b || _root[a] == _root[b]
        && _channelOffset[a] < _channelOffset[b] + SlotShapes[b][1]
        && _channelOffset[b] < _channelOffset[a] + SlotShapes[a][1];

    private readonly CompilationGraph _graph;
    private readonly ConcatPlacement _placement;
    private readonly int[] _root;
    private readonly long[] _channelOffset;
    private readonly int[] _start, _end;            // a root's first write and last read (steps; −1: a network input)
    private readonly long[]? _partsOnlyOffsets;

    // 16 floats = 64 bytes: every slot starts on a cache line, which the vector kernels like.
    private static long AlignUp(long n) => (n + 15) & ~15L;

    /// <summary>The batch size this plan is for.</summary>
    public int Batch { get; }
    /// <summary>The steps in execution order.</summary>
    public IReadOnlyList<CompiledStep> Steps { get; }

    private readonly bool[] _splitsBatch;

    /// <summary>Whether step <paramref name="step"/> computes each image alone (<see cref="Kernel.ImageWise"/>) on
    /// activations of this batch, with at most <see cref="BatchSplit.MaxWeightElements"/> weights, so
    /// <see cref="BatchSplit"/> runs its images in parts.</summary>
    internal bool SplitsBatch(int step) => _splitsBatch[step];

    /// <summary>Shape of every value slot.</summary>
    public IReadOnlyList<Shape> SlotShapes { get; }
    /// <summary>Arena offset of every slot (−1 for constants, which live in their own tensors).</summary>
    public IReadOnlyList<long> SlotOffsets { get; }
    /// <summary>Floats from one image of a slot to the next: the image size, or for a value written into a wider
    /// concatenation in place, that concatenation's image size.</summary>
    public IReadOnlyList<long> SlotImageStrides { get; }
    /// <summary>Concatenations computed in place (their inputs' producers wrote into them; no copy runs).</summary>
    public int InPlaceConcats { get; }
    internal bool[] IsConstantSlot { get; }
    internal Tensor?[] ConstantValues { get; }
    /// <summary>
    /// The value of a constant slot (a <see cref="Constant"/> node's tensor, which lives outside the arena), or null for
    /// an activation slot. Backends that keep their own copy of the constants (the GPU executor) read them here.
    /// </summary>
    public Tensor? ConstantValue(int slot) => ConstantValues[slot];
    /// <summary>Floats of the activation arena — the planned peak activation memory of a forward pass.</summary>
    public long ArenaElements { get; }
    /// <summary>Floats of scratch shared by all steps (im2col panels, Winograd tiles).</summary>
    public long ScratchElements { get; }
    /// <summary>Slots of the network inputs.</summary>
    public IReadOnlyList<int> InputSlots { get; }
    /// <summary>Slots of the network outputs.</summary>
    public IReadOnlyList<int> OutputSlots { get; }
}
