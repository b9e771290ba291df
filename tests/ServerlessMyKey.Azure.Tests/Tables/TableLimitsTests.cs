using Azure;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;

namespace ServerlessMyKey.Azure.Tests.Tables;

/// <summary>Azurite accepts every one of these writes; Azure refuses them, so the guard must.</summary>
public sealed class TableLimitsTests
{
    private static TableTransactionAction Add(string partitionKey, string rowKey, Action<TableEntity>? fill = null)
    {
        var entity = new TableEntity(partitionKey, rowKey) { ["Amount"] = 1L };
        fill?.Invoke(entity);
        return new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    [Fact]
    public void A_transaction_of_100_operations_in_one_partition_passes()
    {
        Assert.Null(Record.Exception(() => TableLimits.EnsureTransaction([.. Enumerable.Range(0, 100).Select(i => Add("AB12CD34", "entry|" + i))])));
    }

    [Fact]
    public void More_than_100_operations_are_refused()
    {
        var error = Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction([.. Enumerable.Range(0, 101).Select(i => Add("AB12CD34", "entry|" + i))]));

        Assert.Contains("101", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_transaction_is_refused()
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction([]));
    }

    [Fact]
    public void A_second_partition_is_refused()
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction([Add("AB12CD34", "summary"), Add("ZZ12CD34", "summary")]));
    }

    [Fact]
    public void Two_operations_on_one_row_are_refused()
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction(
        [
            Add("AB12CD34", "summary"),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("AB12CD34", "summary"), ETag.All),
        ]));
    }

    [Fact]
    public void An_entity_over_one_mebibyte_is_refused()
    {
        // 17 binary properties of 64 KiB: each within its own limit, together over 1 MiB.
        var action = Add("AB12CD34", "summary", e =>
        {
            for (var i = 0; i < 17; i++)
            {
                e["State" + i] = new byte[64 * 1024];
            }
        });

        var error = Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction([action]));
        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_property_over_64_KiB_is_refused()
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(new TableEntity("p", "r") { ["Data"] = new byte[(64 * 1024) + 1] }));
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(new TableEntity("p", "r") { ["Text"] = new string('x', (32 * 1024) + 1) }));
        Assert.Null(Record.Exception(() => TableLimits.EnsureEntity(new TableEntity("p", "r") { ["Data"] = new byte[64 * 1024], ["Text"] = new string('x', 32 * 1024) })));
    }

    [Fact]
    public void More_than_252_properties_are_refused()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++)
        {
            entity["P" + i] = i;
        }

        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(entity));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007Fb")]
    public void Keys_with_forbidden_characters_are_refused(string key)
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(new TableEntity(key, "r")));
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(new TableEntity("p", key)));
    }

    [Fact]
    public void A_key_over_one_KiB_is_refused()
    {
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureEntity(new TableEntity("p", new string('r', 513))));
    }

    [Fact]
    public void A_transaction_of_4_MiB_is_refused_though_each_entity_fits()
    {
        var actions = Enumerable.Range(0, 5).Select(i => Add("p", "r" + i, e => Chunks(e, 14))).ToList();

        var error = Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction(actions));
        Assert.Contains("4 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_size_estimate_follows_the_published_formula()
    {
        // 4 + 2×(1+1) for the keys; "Amount" (long): 8 + 2×6 + 8; "Name" (string "abc"): 8 + 2×4 + 4 + 2×3.
        var entity = new TableEntity("p", "r") { ["Amount"] = 5L, ["Name"] = "abc" };

        Assert.Equal(8 + 28 + 26, TableLimits.EstimateSize(entity));
    }

    [Fact]
    public void Binary_values_count_in_base64_towards_the_4_MiB_of_a_transaction()
    {
        // 4 entities of 14 binary properties of 64 KiB: 3.5 MiB stored (each entity under 1 MiB), 4.7 MiB in base64 as sent.
        var actions = Enumerable.Range(0, 4).Select(i => Add("p", "r" + i, e => Chunks(e, 14))).ToList();
        Assert.True(actions.Sum(a => TableLimits.EstimateSize(a.Entity)) < TableLimits.MaxTransactionBytes);

        var error = Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction(actions));
        Assert.Contains("4 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transaction_passes_one_base64_quantum_under_4_MiB_as_sent_and_is_refused_at_it()
    {
        // Four entities of 12, 12, 12 and 11 binary properties of 64 KiB (2.9 MiB stored, 3.9 MiB in base64), the last one's
        // "Tail" sized so that the request is 1–4 bytes under 4 MiB; three bytes more are four more in base64: refused.
        List<TableTransactionAction> Transaction(int last) => [.. Enumerable.Range(0, 4).Select(i => Add("p", "r" + i, e =>
        {
            Chunks(e, i == 3 ? 11 : 12);
            e["Tail"] = new byte[i == 3 ? last : 0];
        }))];
        var rest = TableLimits.TransactionEnvelopeBytes + Transaction(0).Sum(TableLimits.RequestSize);
        var last = (int)((TableLimits.MaxTransactionBytes - 1 - rest) / 4 * 3);
        var total = TableLimits.TransactionEnvelopeBytes + Transaction(last).Sum(TableLimits.RequestSize);
        Assert.InRange(total, TableLimits.MaxTransactionBytes - 4, TableLimits.MaxTransactionBytes - 1);

        Assert.Null(Record.Exception(() => TableLimits.EnsureTransaction(Transaction(last))));
        Assert.Throws<TableLimitException>(() => TableLimits.EnsureTransaction(Transaction(last + 3)));
    }

    [Fact]
    public void An_entitys_1_MiB_counts_binary_values_as_stored_not_in_base64()
    {
        // Binary: its bytes + 4 (the service's count); 16 properties of 64 KiB are 1 MiB less than the keys and names.
        Assert.Equal(4 + 4 + (8 + 2 + 4 + 10), TableLimits.EstimateSize(new TableEntity("p", "r") { ["B"] = new byte[10] }));
        var entity = new TableEntity("p", "r");
        for (var j = 0; j < 15; j++)
        {
            entity["C" + j.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)] = new byte[64 * 1024];
        }

        entity["Last"] = new byte[(int)(TableLimits.MaxEntityBytes - TableLimits.EstimateSize(entity) - (8 + 8 + 4))];
        Assert.Equal(TableLimits.MaxEntityBytes, TableLimits.EstimateSize(entity));
        Assert.Null(Record.Exception(() => TableLimits.EnsureEntity(entity)));
    }

    /// <summary>Binary properties <c>Chunk0</c>… of 64 KiB each (the most one property holds).</summary>
    private static void Chunks(TableEntity entity, int count)
    {
        for (var j = 0; j < count; j++)
        {
            entity["Chunk" + j] = new byte[64 * 1024];
        }
    }
}
