using System.Text.RegularExpressions;
using ServerlessMyKey.Azure.Operations;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.Azure.Tests.Operations;

/// <summary>
/// The clean-up only looks for idempotency responses in the tables it lists: every table handed to
/// a store that writes <c>idem|…</c> rows must be in <see cref="OperationsServiceCollectionExtensions.IdempotencyResponseTables"/>,
/// or its rows would be kept for ever. Read from the source, so a new store fails this until listed.
/// </summary>
public sealed partial class IdempotencyTablesTests
{
    [Fact]
    public void Every_table_of_a_store_that_keeps_idempotent_responses_is_cleaned_up()
    {
        var source = Path.Combine(RepositoryRoot.Find(), "src", "ServerlessMyKey.Azure");
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);
        var stores = files.Values
            .Where(text => text.Contains("IdempotencyRows.Insert(", StringComparison.Ordinal))
            .SelectMany(text => ClassRegex().Matches(text).Select(m => m.Groups["name"].Value))
            .ToList();
        Assert.NotEmpty(stores);

        var tables = stores.SelectMany(store => files.Values.SelectMany(text =>
            Regex.Matches(text, $@"new {store}\((?<args>[^;]*);").SelectMany(m => TableNameRegex().Matches(m.Groups["args"].Value).Select(t => t.Groups["name"].Value))))
            .Distinct()
            .ToList();

        Assert.Contains("PointsLedger", tables);
        Assert.All(tables, table => Assert.Contains(table, OperationsServiceCollectionExtensions.IdempotencyResponseTables));
    }

    [GeneratedRegex(@"(?:internal|public) sealed class (?<name>\w+)")]
    private static partial Regex ClassRegex();

    [GeneratedRegex(@"""(?<name>[A-Z][A-Za-z]+)""")]
    private static partial Regex TableNameRegex();
}
