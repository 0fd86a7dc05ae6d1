using SharpConv.Ops;

namespace SharpConv.Compilation;

/// <summary>
/// Which values a plan writes straight into a channel concatenation instead of copying them there afterwards.
/// <para>
/// A value v that feeds a concatenation X along channels gets X's memory at its channel offset: its producer writes
/// image n at <c>n · (X's image size)</c>, and X's copy disappears. This is how SqueezeNet's fire modules and
/// GoogLeNet's Inception modules lose their concatenations. DenseNet needs one more step: layer i's concatenation
/// reads the block input and the new features of layers 1…i−1, which are exactly the first channels of the block's
/// final concatenation. So the final one is placed first (concatenations are visited last to first), and each earlier
/// one whose inputs already lie back to back in it becomes a view of that prefix. A block's features are then written
/// once and never copied. Each prefix is read once, by the next layer's BatchNorm.
/// </para>
/// <para>
/// A value is placed only when that is safe:
/// <list type="bullet">
/// <item>it is not a network input, constant or output;</item>
/// <item>it is not placed already;</item>
/// <item>its producer can write image-strided output, and every reader can read it (any kernel can at batch 1, where
///   a channel range is contiguous).</item>
/// </list>
/// A concatenation whose inputs are not all in place still runs, copying the rest. Its copy skips the blocks that are
/// already where they belong.
/// </para>
/// </summary>
internal sealed class ConcatPlacement
{
    private ConcatPlacement(int count)
    {
        Parent = new int[count]; Array.Fill(Parent, -1);
        ChannelOffset = new long[count];
        InPlace = new bool[count];
    }

    /// <summary>Slot whose memory holds this slot (−1: its own buffer).</summary>
    public int[] Parent { get; }
    /// <summary>Channel offset inside <see cref="Parent"/>.</summary>
    public long[] ChannelOffset { get; }
    /// <summary>Concatenations with nothing left to copy.</summary>
    public bool[] InPlace { get; }

    /// <summary>No placement: every value in its own buffer.</summary>
    public static ConcatPlacement None(int count) => new(count);

    /// <summary>Places what can be placed for a plan at <paramref name="batch"/> images.</summary>
    public static ConcatPlacement Plan(IReadOnlyList<CompiledNode> nodes, IReadOnlyDictionary<CompiledNode, int> slotOf,
        IReadOnlyList<Shape> shapes, bool[] isOutput, int batch)
    {
        int count = nodes.Count;
        var result = new ConcatPlacement(count);
        var readers = new List<int>[count];
        for (int i = 0; i < count; i++) readers[i] = new List<int>();
        for (int i = 0; i < count; i++)
            foreach (var input in nodes[i].Inputs) readers[slotOf[input]].Add(i);

        bool CanPlace(int v)
        {
            var node = nodes[v];
            if (node.Op is Input or Constant || isOutput[v] || result.Parent[v] >= 0 || shapes[v].Rank < 2 || node.Kernel is null) return false;
            if (batch == 1) return true;
            if (!node.Kernel.WritesImageStrided) return false;
            foreach (int r in readers[v])
                if (nodes[r].Kernel is not { ReadsImageStrided: true }) return false;
            return true;
        }

        for (int x = count - 1; x >= 0; x--)
        {
            if (!IsChannelConcat(nodes[x], shapes[x])) continue;
            var ins = nodes[x].Inputs.Select(n => slotOf[n]).ToArray();
            if (ins.Distinct().Count() != ins.Length) continue;

            // Inputs already back to back in one enclosing concatenation (DenseNet's prefixes): X is that range.
            int parent = result.Parent[ins[0]];
            if (parent >= 0)
            {
                long at = result.ChannelOffset[ins[0]], expected = at;
                bool contiguous = true;
                foreach (int v in ins)
                {
                    contiguous &= result.Parent[v] == parent && result.ChannelOffset[v] == expected;
                    expected += shapes[v][1];
                }
                if (contiguous && (result.Parent[x] == parent && result.ChannelOffset[x] == at || CanPlace(x)))
                {
                    result.Parent[x] = parent; result.ChannelOffset[x] = at;
                    result.InPlace[x] = true;
                    continue;
                }
            }

            // Otherwise X's own memory (wherever X itself lies) receives every input that can be placed.
            bool all = true;
            long offset = 0;
            foreach (int v in ins)
            {
                if (CanPlace(v)) { result.Parent[v] = x; result.ChannelOffset[v] = offset; }
                else all &= result.Parent[v] == x && result.ChannelOffset[v] == offset;
                offset += shapes[v][1];
            }
            result.InPlace[x] = all;
        }
        return result;
    }

    private static bool IsChannelConcat(CompiledNode node, Shape shape) =>
        node.Op is Concat c && shape.Rank >= 2 && (c.Axis == 1 || c.Axis == 1 - shape.Rank) && node.Inputs.Count > 0;
}
