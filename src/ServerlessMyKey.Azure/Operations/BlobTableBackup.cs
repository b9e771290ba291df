using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessMyKey.Azure.Storage;
using ServerlessMyKey.Azure.Tables;
using ServerlessMyKey.Core.Operations;

namespace ServerlessMyKey.Azure.Operations;

/// <summary>
/// Exports the application's tables to <c>table-backups/&lt;backupId&gt;/&lt;table&gt;.jsonl.gz</c> and
/// restores them. One line per entity: <c>{"pk","rk","p":{"Name":["Edm type", value]}}</c>, so types
/// survive (Int64 as text, binary as base64, times in ISO 8601). The Durable task hub's tables are not
/// exported: orchestrations in flight are re-driven after a restore, not restored (docs/operations.md).
/// </summary>
/// <remarks>
/// A table is read page by page while it changes, so an export is not a point-in-time snapshot
/// across tables; each entity is one that existed. Restoring writes single-partition batches of at
/// most 100 and only into empty (or absent) tables: over live rows it would put back older versions of
/// rows changed since the export, so it refuses before writing anything.
/// </remarks>
internal sealed class BlobTableBackup(
    TableServiceClient tables, BlobServiceClient blobs, TimeProvider time, string tablePrefix, IReadOnlyList<string> excludedPrefixes) : ITableBackup
{
    public const string ContainerName = "table-backups";
    private const string Extension = ".jsonl.gz";
    /// <summary>A restore transaction's operations as sent (<see cref="TableLimits.RequestSize"/>: binary values in base64), well under the 4 MiB.</summary>
    private const long MaxBatchBytes = 3L * 1024 * 1024;

    private readonly CreatedOnFirstUse<BlobContainerClient> _container = StorageResources.Container(blobs, ContainerName);

    public async Task<TableBackupResult> ExportAsync(CancellationToken cancellationToken = default)
    {
        var backupId = $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var container = await _container.GetAsync(cancellationToken);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var item in tables.QueryAsync(cancellationToken: cancellationToken))
        {
            if (!item.Name.StartsWith(tablePrefix, StringComparison.Ordinal) || excludedPrefixes.Any(p => item.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            var blob = container.GetBlobClient($"{backupId}/{item.Name}{Extension}");
            var stream = await blob.OpenWriteAsync(overwrite: true, cancellationToken: cancellationToken);
            await using (stream)
            {
                await using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
                var count = 0;
                await foreach (var entity in tables.GetTableClient(item.Name).QueryAsync<TableEntity>(cancellationToken: cancellationToken))
                {
                    WriteLine(gzip, entity);
                    count++;
                }

                counts[item.Name] = count;
            }
        }

        return new TableBackupResult(backupId, counts);
    }

    public async Task<TableBackupResult> RestoreAsync(string backupId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupId);
        var container = await _container.GetAsync(cancellationToken);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var blobNames = new List<string>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, backupId + "/", cancellationToken))
        {
            blobNames.Add(item.Name);
        }

        if (blobNames.Count == 0)
        {
            throw new InvalidOperationException($"No backup '{backupId}' in container {ContainerName}.");
        }

        // Upserting an export over live rows would put back older versions of rows changed since
        // (a ledger summary behind its newer entries, a spent code or challenge unspent): refuse
        // before writing anything unless every target table is empty or absent.
        var occupied = new List<string>();
        foreach (var name in blobNames)
        {
            var tableName = name[(backupId.Length + 1)..^Extension.Length];
            if (await HasRowsAsync(tables.GetTableClient(tableName), cancellationToken))
            {
                occupied.Add(tableName);
            }
        }

        if (occupied.Count > 0)
        {
            throw new InvalidOperationException(
                $"Restore refused: table(s) {string.Join(", ", occupied)} are not empty; delete them first (docs/operations.md, \"Restoring data\").");
        }

        foreach (var name in blobNames)
        {
            var tableName = name[(backupId.Length + 1)..^Extension.Length];
            var table = tables.GetTableClient(tableName);
            await table.CreateIfNotExistsAsync(cancellationToken);
            var batch = new List<TableTransactionAction>();
            long batchBytes = 0;
            var count = 0;
            var stream = await container.GetBlobClient(name).OpenReadAsync(cancellationToken: cancellationToken);
            await using (stream)
            {
                using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress), Encoding.UTF8);
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    var entity = ReadLine(line);
                    var size = TableLimits.RequestSize(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
                    if (batch.Count > 0 && (batch.Count == TableLimits.MaxTransactionActions || batch[0].Entity.PartitionKey != entity.PartitionKey || batchBytes + size > MaxBatchBytes))
                    {
                        await table.SubmitTransactionAsync(batch, cancellationToken);
                        batch.Clear();
                        batchBytes = 0;
                    }

                    batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
                    batchBytes += size;
                    count++;
                }
            }

            if (batch.Count > 0)
            {
                await table.SubmitTransactionAsync(batch, cancellationToken);
            }

            counts[tableName] = count;
        }

        return new TableBackupResult(backupId, counts);
    }

    private static async Task<bool> HasRowsAsync(TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages())
            {
                if (page.Values.Count > 0)
                {
                    return true;
                }
            }
        }
        catch (global::Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // The table does not exist: nothing to overwrite.
        }

        return false;
    }

    private static void WriteLine(Stream output, TableEntity entity)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("pk", entity.PartitionKey);
            json.WriteString("rk", entity.RowKey);
            json.WriteStartObject("p");
            foreach (var (name, value) in entity)
            {
                if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag" || value is null)
                {
                    continue;
                }

                json.WriteStartArray(name);
                switch (value)
                {
                    case string s: json.WriteStringValue("String"); json.WriteStringValue(s); break;
                    case int i: json.WriteStringValue("Int32"); json.WriteNumberValue(i); break;
                    case long l: json.WriteStringValue("Int64"); json.WriteStringValue(l.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                    case double d: json.WriteStringValue("Double"); json.WriteNumberValue(d); break;
                    case bool b: json.WriteStringValue("Boolean"); json.WriteBooleanValue(b); break;
                    case DateTimeOffset t: json.WriteStringValue("DateTime"); json.WriteStringValue(t.ToUniversalTime()); break;
                    case DateTime t: json.WriteStringValue("DateTime"); json.WriteStringValue(new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero)); break;
                    case Guid g: json.WriteStringValue("Guid"); json.WriteStringValue(g); break;
                    case byte[] bytes: json.WriteStringValue("Binary"); json.WriteBase64StringValue(bytes); break;
                    case BinaryData data: json.WriteStringValue("Binary"); json.WriteBase64StringValue(data.ToMemory().Span); break;
                    default: throw new InvalidOperationException($"Property {name} of a {value.GetType().Name} cannot be exported.");
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
    }

    private static TableEntity ReadLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var entity = new TableEntity(root.GetProperty("pk").GetString(), root.GetProperty("rk").GetString());
        foreach (var property in root.GetProperty("p").EnumerateObject())
        {
            var value = property.Value[1];
            entity[property.Name] = property.Value[0].GetString() switch
            {
                "String" => value.GetString(),
                "Int32" => value.GetInt32(),
                "Int64" => long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                "Double" => value.GetDouble(),
                "Boolean" => value.GetBoolean(),
                "DateTime" => value.GetDateTimeOffset(),
                "Guid" => value.GetGuid(),
                "Binary" => value.GetBytesFromBase64(),
                var type => throw new InvalidDataException($"Unknown property type {type} in the backup."),
            };
        }

        return entity;
    }
}
