using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Azure.Tests.Tables;

/// <summary>
/// What a transaction's request body really carries, on real Azurite: never more than <see cref="TableLimits"/> counts for it,
/// and its binary values in base64 (more than the stored size that the 1 MiB of an entity counts).
/// </summary>
public sealed class TableTransactionSizeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_transaction_sends_no_more_than_its_counted_size_and_its_binary_values_in_base64()
    {
        var recorder = new BatchBodies();
        var options = new TableClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerRetry);
        var table = new TableServiceClient(azurite.ConnectionString, options).GetTableClient("Sizes" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var added = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p|日本", $"r|{i:D3}")
        {
            ["Day"] = RandomNumberGenerator.GetBytes(20_000 + i),
            ["Text"] = $"避難 <\"{i}\"> & more",
            ["At"] = DateTimeOffset.UtcNow,
            ["Count"] = (long)i,
            ["Ok"] = true,
        })).ToList();
        var changed = added.Select((a, i) => i % 2 == 0
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(a.Entity.PartitionKey, a.Entity.RowKey) { ["Day"] = new byte[30_000] }, ETag.All)
            : new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(a.Entity.PartitionKey, a.Entity.RowKey), ETag.All)).ToList();

        foreach (var transaction in new[] { added, changed })
        {
            TableLimits.EnsureTransaction(transaction);
            await table.SubmitTransactionAsync(transaction);
        }

        Assert.Equal(2, recorder.Sizes.Count);
        foreach (var (transaction, sent) in new[] { added, changed }.Zip(recorder.Sizes))
        {
            var base64 = transaction.Where(a => a.ActionType != TableTransactionActionType.Delete).Sum(a => TableLimits.Base64Size(((TableEntity)a.Entity).GetBinary("Day").Length));
            Assert.InRange(sent, base64, TableLimits.TransactionEnvelopeBytes + transaction.Sum(TableLimits.RequestSize));
        }
    }

    /// <summary>The body size of every <c>$batch</c> request sent.</summary>
    private sealed class BatchBodies : HttpPipelinePolicy
    {
        public ConcurrentQueue<long> Sizes { get; } = new();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && message.Request.Content is { } content)
            {
                using var body = new MemoryStream();
                content.WriteTo(body, CancellationToken.None);
                Sizes.Enqueue(body.Length);
            }
        }
    }
}
