using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/McpWarden.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(McpWarden.Benchmarks.DecisionBenchmarks).Assembly).Run(args);
