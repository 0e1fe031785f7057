using BenchmarkDotNet.Running;

// BenchmarkDotNet's default toolchain rebuilds the benchmarks from a project file named after the
// assembly, and ours are named differently (Protocol.Benchmarks.csproj builds
// Broker.Protocol.Benchmarks.dll). Running in process sidesteps that and a rebuild per run.
if (!args.Any(a => a is "--inProcess" or "-i"))
    args = [.. args, "--inProcess"];

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
