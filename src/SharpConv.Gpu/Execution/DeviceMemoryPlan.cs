using SharpConv.Compilation;

namespace SharpConv.Gpu.Execution;

/// <summary>
/// The device arena layout for one batch size. It follows the CPU plan's first-fit liveness scheme but also knows
/// about views: a Flatten, Reshape or Dropout step produces no data, its output slot is an alias of its input's
/// memory. The CPU plan cannot express that (it gives every slot its own region, freed after its last reader), so
/// the aliases are planned here: an alias group is one allocation that lives until the last reader of any member.
/// </summary>
internal sealed class DeviceMemoryPlan
{
    // 64 floats = 256 bytes per slot start, the coalescing granularity of current GPUs.
    private const long Alignment = 64;

    public DeviceMemoryPlan(ExecutionPlan plan, Func<CompiledStep, bool> isView)
    {
        int count = plan.SlotShapes.Count;
        var root = new int[count];
        for (int i = 0; i < count; i++) root[i] = i;
        foreach (var step in plan.Steps)
            if (isView(step)) root[step.OutputSlot] = root[step.InputSlots[0]];

        // Liveness per root: from its slot position (slots are in execution order) to the last reader of any alias.
        var lastUse = new int[count];
        for (int i = 0; i < count; i++) lastUse[i] = i;
        foreach (var step in plan.Steps)
            foreach (int s in step.InputSlots)
                lastUse[root[s]] = Math.Max(lastUse[root[s]], step.OutputSlot);
        foreach (int o in plan.OutputSlots) lastUse[root[o]] = int.MaxValue;

        Root = root;
        Offsets = new long[count];
        var live = new List<(long Offset, long Length, int Slot)>();
        long arena = 0;
        // Network inputs are copied in before the first step, so they are live from the start wherever they sit in the
        // slot order (a second input may first be read near the end): place them first, as the CPU plan does.
        var isInput = new bool[count];
        foreach (int s in plan.InputSlots) isInput[s] = true;
        var order = Enumerable.Range(0, count).Where(i => isInput[i]).Concat(Enumerable.Range(0, count).Where(i => !isInput[i]));
        foreach (int i in order)
        {
            if (root[i] != i || plan.ConstantValue(i) is not null) continue;
            if (!isInput[i]) live.RemoveAll(b => lastUse[b.Slot] < i);
            long length = (plan.SlotShapes[i].ElementCount + Alignment - 1) / Alignment * Alignment;
            long offset = 0;
            foreach (var b in live.OrderBy(b => b.Offset))
            {
                if (b.Offset - offset >= length) break;
                offset = Math.Max(offset, b.Offset + b.Length);
            }
            live.Add((offset, length, i));
            Offsets[i] = offset;
            arena = Math.Max(arena, offset + length);
        }
        for (int i = 0; i < count; i++) Offsets[i] = Offsets[root[i]];
        ArenaElements = Math.Max(arena, Alignment);
    }

    /// <summary>The slot whose memory each slot uses (itself unless it is a view).</summary>
    public int[] Root { get; }
    /// <summary>Arena offset of each slot (meaningless for constants, which live in the weight buffer).</summary>
    public long[] Offsets { get; }
    /// <summary>Floats of the device arena.</summary>
    public long ArenaElements { get; }
}
