namespace EdgeAgent.Tests.Fleet;

/// <summary>
/// Makes a model that loads and runs but has lost its knowledge: every large initializer's raw weights set to zero.
/// Walks the protobuf by hand (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9), so the
/// file stays well-formed. For the replay gate's test.
/// </summary>
public static class OnnxSurgery
{
    public static byte[] ZeroLargeInitializers(byte[] model, int minBytes = 10_000)
    {
        byte[] b = (byte[])model.Clone();
        int zeroed = 0;
        foreach (var (f, offset, length) in Fields(b, 0, b.Length))
            if (f == 7)
                foreach (var (f2, o2, l2) in Fields(b, offset, offset + length))
                    if (f2 == 5)
                        foreach (var (f3, o3, l3) in Fields(b, o2, o2 + l2))
                            if (f3 == 9 && l3 >= minBytes) { Array.Clear(b, o3, l3); zeroed++; }
        if (zeroed == 0) throw new InvalidOperationException("no initializer with raw data found");
        return b;
    }

    // The length-delimited fields of a message (field number, offset, length); other wire types are skipped.
    private static IEnumerable<(int Field, int Offset, int Length)> Fields(byte[] b, int start, int end)
    {
        int i = start;
        while (i < end)
        {
            ulong tag = Varint(b, ref i);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: Varint(b, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    int length = (int)Varint(b, ref i);
                    yield return (field, i, length);
                    i += length;
                    break;
                default: throw new InvalidDataException($"protobuf wire type {wire} at {i}");
            }
        }
    }

    private static ulong Varint(byte[] b, ref int i)
    {
        ulong r = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[i++];
            r |= (ulong)(x & 0x7f) << shift;
            if (x < 0x80) return r;
        }
    }
}
