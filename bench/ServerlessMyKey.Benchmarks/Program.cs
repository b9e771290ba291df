using BenchmarkDotNet.Running;

// Pick suites on the command line, e.g. `--filter *PointsBenchmarks*`; bench/README.md has the figures.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
