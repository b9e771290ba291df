using System.Globalization;
using BenchmarkDotNet.Running;
using ServerlessMyKey.Benchmarks;

// Pick suites on the command line, e.g. `--filter *PointsBenchmarks*`; bench/README.md has the figures.
// `disaster-fanout [tvs] [runs]` is the one-off fan-out time on the DevHost (not a BenchmarkDotNet suite).
if (args is ["disaster-fanout", ..])
{
    return await DisasterFanOutRun.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3);
}

BenchmarkSwitcher.FromAssembly(typeof(DisasterBenchmarks).Assembly).Run(args);
return 0;
