using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace ServerlessMyKey.Jpki.Tests.Fuzzing;

/// <summary>
/// Counts what a parser answered to the fuzz cases (a code, a state, "parsed"), and writes the counts with the
/// number of cases and the elapsed time to the test output: the record of a long run (README, "Fuzzing the parsers").
/// A case whose mutations left the seed as it was (e.g. a length byte replaced by the same random byte) is counted
/// apart, so that a success among the outcomes is either that or a mutation the parser does not see.
/// </summary>
internal sealed class OutcomeTally(ITestOutputHelper output, string parser, byte[] seed)
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Counts <paramref name="outcome"/> of <paramref name="input"/> and answers true (for a CsCheck property).</summary>
    public bool Count(byte[] input, string outcome)
    {
        _counts.AddOrUpdate(input.AsSpan().SequenceEqual(seed) ? outcome + " (seed unchanged)" : outcome, 1, (_, count) => count + 1);
        return true;
    }

    public void Report()
    {
        var outcomes = string.Join(", ", _counts.OrderByDescending(pair => pair.Value).Select(pair => $"{pair.Key} {pair.Value:N0}"));
        output.WriteLine($"fuzz {parser}: {_counts.Values.Sum():N0} cases in {_clock.Elapsed.TotalSeconds:N0} s on {Environment.ProcessorCount} cores: {outcomes}");
    }
}
