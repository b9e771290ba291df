using CsCheck;
using ServerlessMyKey.Testing;

namespace ServerlessMyKey.Points.Tests;

/// <summary>The seeded property runs CI uses: the same cases every run, and a failure that names the seed that replays it.</summary>
public sealed class SeededSamplesTests
{
    private static readonly Gen<int[]> Values = Gen.Int[0, 1_000_000].Array[1, 8];

    [Fact]
    public void A_test_draws_the_same_cases_on_every_run_and_another_test_other_ones()
    {
        var first = SeededSamples.Cases(Values, 50, "A_test");
        var again = SeededSamples.Cases(Values, 50, "A_test");
        var other = SeededSamples.Cases(Values, 50, "Another_test");

        Assert.Equal(first.Select(c => c.Value), again.Select(c => c.Value));
        Assert.NotEqual(first.Select(c => c.Value), other.Select(c => c.Value));
        Assert.Equal(50, first.Select(c => c.Seed).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_failing_case_names_the_seed_that_draws_it_again()
    {
        var failing = SeededSamples.Cases(Values, 200, nameof(A_failing_case_names_the_seed_that_draws_it_again)).Where(c => c.Value.Sum() % 7 == 3).ToList();
        Assert.NotEmpty(failing);

        var message = Assert.Throws<InvalidOperationException>(() => Values.SampleSeeded(values => values.Sum() % 7 != 3, iter: 200)).Message;

        var seed = message[(message.IndexOf("CsCheck_Seed=", StringComparison.Ordinal) + "CsCheck_Seed=".Length)..].TrimEnd('.');
        var replayed = Values.Generate(PCG.Parse(seed), null, out _);
        Assert.Equal(failing[0].Value, replayed);
        Assert.Equal(failing[0].Seed, seed);
    }
}
