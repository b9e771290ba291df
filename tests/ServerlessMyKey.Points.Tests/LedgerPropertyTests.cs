using CsCheck;
using Microsoft.Extensions.Time.Testing;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Points;
using ServerlessMyKey.Testing;
using static ServerlessMyKey.Points.Tests.PointsHarness;

namespace ServerlessMyKey.Points.Tests;

/// <summary>
/// Random sequences of every operation (credits, assignments, debits, default municipality, time
/// passing with both timers, replays, bursts of concurrent debits) on a fresh account on real Azurite;
/// after each sequence the summary must be the sum of the entries and nothing negative.
/// </summary>
public sealed class LedgerPropertyTests(PointsHarness harness) : IClassFixture<PointsHarness>
{
    private static readonly string[] Municipalities = [Chiyoda, Sapporo, Osaka];

    private enum OpKind
    {
        Convert,
        Grant,
        Assign,
        Debit,
        SetDefault,
        PassTime,
        Replay,
        DebitBurst,
    }

    private sealed record Op(OpKind Kind, int Amount, int Municipality, int Days)
    {
        public override string ToString() => $"{Kind}({Amount}, {Municipalities[Municipality]}, {Days}d)";
    }

    private static readonly Gen<Op> OpGen =
        Gen.Select(Gen.Enum<OpKind>(), Gen.Int[1, 400], Gen.Int[0, Municipalities.Length - 1], Gen.Int[0, 40], (kind, amount, m, days) => new Op(kind, amount, m, days));

    [Fact]
    public async Task Summary_is_the_sum_of_entries_and_never_negative_under_random_operations()
    {
        await OpGen.Array[1, 20].SampleSeededAsync(
            async ops =>
            {
                var clock = new FakeTimeProvider(Start);
                var points = harness.PointsWithClock(clock);
                var myKeyId = NewMyKeyId();
                Func<Task>? last = null;
                foreach (var op in ops)
                {
                    var code = Municipalities[op.Municipality];
                    var key = NewKey();
                    Func<Task> run = op.Kind switch
                    {
                        OpKind.Convert => () => points.CreditAsync(myKeyId, new CreditRequest(op.Amount, new PointsSource(PointsSource.Partner, "airline-a")), key, Partner),
                        OpKind.Grant => () => points.CreditAsync(myKeyId, new CreditRequest(op.Amount, new PointsSource(PointsSource.Municipality, "grant"), code), key, Admin),
                        OpKind.Assign => () => points.AssignAsync(myKeyId, new AssignmentRequest(code, op.Amount), key),
                        OpKind.Debit => () => points.DebitAsync(myKeyId, new DebitRequest(op.Amount, MerchantId(code)), key, MerchantClient(code)),
                        OpKind.SetDefault => () => points.SetDefaultMunicipalityAsync(myKeyId, new DefaultMunicipalityRequest(code)),
                        OpKind.PassTime => async () =>
                        {
                            clock.Advance(TimeSpan.FromDays(op.Days) + TimeSpan.FromHours(op.Amount));
                            await points.RunDueWorkAsync(PointsDueKind.AutoAssignment, 1000);
                            await points.RunDueWorkAsync(PointsDueKind.Expiry, 1000);
                        },
                        OpKind.Replay => last ?? (() => Task.CompletedTask),
                        _ => () => Task.WhenAll(Enumerable.Range(0, 5).Select(_ => IgnoreRefusal(() =>
                            points.DebitAsync(myKeyId, new DebitRequest(op.Amount, MerchantId(code)), NewKey(), MerchantClient(code))))),
                    };
                    await IgnoreRefusal(run);
                    if (op.Kind is not (OpKind.PassTime or OpKind.Replay))
                    {
                        last = run;
                    }
                }

                await LedgerAssert.SummaryIsSumOfEntriesAsync(harness, myKeyId);
            },
            iter: 40,
            threads: 4);
    }

    /// <summary>Refusals the rules allow (not enough points); anything else fails the property.</summary>
    private static async Task IgnoreRefusal(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (ServiceException ex) when (ex.Error == ErrorCodes.InsufficientBalance)
        {
        }
    }
}
