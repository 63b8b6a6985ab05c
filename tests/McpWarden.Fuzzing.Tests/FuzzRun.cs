using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace McpWarden.Fuzzing.Tests;

/// <summary>What a target did with one generated case.</summary>
internal enum Outcome
{
    Accepted,
    Refused,
}

/// <summary>
/// Runs one property over generated cases with FsCheck: a count scaled by <c>MCPWARDEN_FUZZ_CASES</c>, a seed
/// from <c>MCPWARDEN_FUZZ_SEED</c> (printed on failure, so the run replays), a ceiling on every case, a
/// watchdog that names the case a hang is stuck in, and a tally of accepted and refused cases.
/// </summary>
internal static class FuzzRun
{
    public const string CasesVariable = "MCPWARDEN_FUZZ_CASES";
    public const string SeedVariable = "MCPWARDEN_FUZZ_SEED";
    public const string ReportVariable = "MCPWARDEN_FUZZ_REPORT";

    /// <summary>Cases per target in CI: enough to meet every mutation many times and keep the project near 30 s on 2 cores.</summary>
    public const int DefaultCases = 2_000;

    /// <summary>A fixed default seed keeps CI reproducible; scripts/fuzz.sh draws a new one each run.</summary>
    public const ulong DefaultSeed = 20_261_121;

    /// <summary>The longest one case may take: generous, since the machine is shared; a parser needs microseconds.</summary>
    public static TimeSpan CaseCeiling { get; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one case may run before the fact stops waiting for it and reports a hang.</summary>
    public static TimeSpan HangCeiling { get; } = TimeSpan.FromSeconds(20);

    /// <summary>The xunit timeout of each fuzzing fact, for the full run: the watchdog reports a hang much sooner.</summary>
    public const int FactTimeoutMilliseconds = 30 * 60 * 1000;

    public static ulong Seed { get; } = ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    /// <summary>The number of cases for a target: <c>MCPWARDEN_FUZZ_CASES</c> (or the default) divided by how costly one of its cases is.</summary>
    public static int Cases(int costPerCase = 1)
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var cases) && cases > 0 ? cases : DefaultCases;
        return Math.Max(1, total / costPerCase);
    }

    /// <summary>Checks <paramref name="property"/> (which throws when violated) over <paramref name="cases"/> inputs FsCheck generates.</summary>
    public static Task<Tally> CheckAsync<T>(string target, Gen<T> generator, Func<T, Outcome> property, int cases)
        where T : notnull
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)));
        return RunAsync<T>(target, cases, property, measured => Prop.ForAll(Arb.From(generator), (T input) => measured(input)).Check(config));
    }

    /// <summary>Checks <paramref name="property"/> over every one of <paramref name="inputs"/>, for the exhaustive cases (every prefix of every seed).</summary>
    public static Task<Tally> CheckEachAsync<T>(string target, IReadOnlyList<T> inputs, Func<T, Outcome> property)
        where T : notnull =>
        RunAsync<T>(target, inputs.Count, property, measured =>
        {
            foreach (var input in inputs)
            {
                try
                {
                    measured(input);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"Falsifiable by:\n{input}\nwith exception:\n{e}", e);
                }
            }
        });

    private static async Task<Tally> RunAsync<T>(string target, int cases, Func<T, Outcome> property, Action<Action<T>> drive)
        where T : notnull
    {
        var tally = new Tally(target);
        var watch = new CaseWatch();
        void Measured(T input)
        {
            watch.Begin(input);
            var clock = Stopwatch.StartNew();
            var outcome = property(input);
            clock.Stop();
            watch.End();
            if (clock.Elapsed > CaseCeiling)
            {
                Assert.Fail($"{target}: one case took {clock.Elapsed.TotalMilliseconds:F0} ms; the ceiling is {CaseCeiling.TotalMilliseconds:F0} ms");
            }

            tally.Add(outcome, clock.Elapsed);
        }

        var total = Stopwatch.StartNew();
        var check = Task.Factory.StartNew(() => drive(Measured), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        while (!check.IsCompleted)
        {
            await Task.WhenAny(check, Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken)).ConfigureAwait(false);
            if (watch.Stuck(HangCeiling) is { } stuck)
            {
                Assert.Fail($"{target}: a case has not finished after {HangCeiling.TotalSeconds:F0} s ({Replay(target, cases)}):\n{stuck}");
            }
        }

        try
        {
            await check.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{target}: a property failed ({Replay(target, cases)}):\n{e.Message}");
        }

        tally.Elapsed = total.Elapsed;
        tally.Report();
        return tally;
    }

    private static string Replay(string target, int cases) =>
        $"{cases} cases of {target}; replay with {SeedVariable}={Seed} {CasesVariable}={Cases()}";

    /// <summary>Counts and times for one target; written to <c>MCPWARDEN_FUZZ_REPORT</c> when set.</summary>
    internal sealed class Tally(string target)
    {
        private long _accepted;
        private long _refused;
        private long _slowestTicks;

        public string Target { get; } = target;

        public long Accepted => Interlocked.Read(ref _accepted);

        public long Refused => Interlocked.Read(ref _refused);

        public long Total => Accepted + Refused;

        public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

        public TimeSpan Elapsed { get; set; }

        public void Add(Outcome outcome, TimeSpan took)
        {
            Interlocked.Increment(ref outcome == Outcome.Accepted ? ref _accepted : ref _refused);
            if (took.Ticks > Interlocked.Read(ref _slowestTicks))
            {
                Interlocked.Exchange(ref _slowestTicks, took.Ticks);
            }
        }

        /// <summary>Asserts that the run was not vacuous: some cases were accepted and some refused.</summary>
        public void ShouldHaveAcceptedAndRefused()
        {
            Assert.True(Accepted > 0, $"{Target}: none of {Total} cases was accepted, so the property proved nothing about valid input");
            Assert.True(Refused > 0, $"{Target}: none of {Total} cases was refused, so the generators never broke anything");
        }

        public void Report()
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{Target}\t{Total}\t{Accepted}\t{Refused}\t{Elapsed.TotalSeconds:F1}\t{Slowest.TotalMilliseconds:F1}\tseed {Seed}");
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } file)
            {
                lock (typeof(Tally))
                {
                    File.AppendAllText(file, line + "\n");
                }
            }
        }
    }

    /// <summary>Remembers the case under way and when it began, for the watchdog.</summary>
    private sealed class CaseWatch
    {
        private readonly Lock _gate = new();
        private object? _case;
        private long _began;

        public void Begin(object input)
        {
            lock (_gate)
            {
                _case = input;
                _began = Stopwatch.GetTimestamp();
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _case = null;
            }
        }

        public string? Stuck(TimeSpan ceiling)
        {
            lock (_gate)
            {
                return _case is not null && Stopwatch.GetElapsedTime(_began) > ceiling ? _case.ToString() : null;
            }
        }
    }
}
