using Azure.Data.Tables;

namespace ServerlessMyKey.Azure.Tables;

/// <summary>
/// A value larger than one 64 KiB binary property, kept as <c>Name0</c>, <c>Name1</c>, … and
/// <c>NameChunks</c>; <see cref="TableLimits"/> still holds the whole entity to 1 MiB.
/// </summary>
internal static class ChunkedProperty
{
    private const int ChunkBytes = TableLimits.MaxPropertyBytes;

    public static void Write(TableEntity entity, string name, ReadOnlySpan<byte> value)
    {
        var chunks = 0;
        for (var offset = 0; offset < value.Length; offset += ChunkBytes, chunks++)
        {
            entity[name + chunks] = value.Slice(offset, Math.Min(ChunkBytes, value.Length - offset)).ToArray();
        }

        entity[name + "Chunks"] = chunks;
    }

    public static byte[] Read(TableEntity entity, string name)
    {
        var chunks = entity.GetInt32(name + "Chunks") ?? 0;
        using var buffer = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            buffer.Write(entity.GetBinary(name + i) ?? throw new InvalidDataException($"Row {entity.RowKey} lacks {name}{i}."));
        }

        return buffer.ToArray();
    }
}
