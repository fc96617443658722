using System.Text;
using Phyr.Domain.Config;
using Phyr.Domain.Costs;
using Phyr.Domain.Experiments;
using Phyr.Domain.Machines;
using Phyr.Domain.Memory;
using Phyr.Domain.Scenarios;
using Phyr.Tests.Shared;

namespace Phyr.Domain.Tests.Config;

/// <summary>
/// Seeded mutation fuzzing of every reader a user's file reaches: the shipped files (scenarios, experiments, validation
/// cases, pfn layouts) mutated (a few thousand each) — bytes flipped, hostile characters inserted (NUL, escapes, braces, quotes, huge
/// numbers), spans deleted, duplicated or cut — and each reader must answer with its one-line bad-input exception
/// (<see cref="InputException"/>) or a value, never anything else. Deterministic: the same cases on every run.
/// </summary>
public class HostileInputFuzz
{
    private static string Root => RepoPaths.Root;

    private static IEnumerable<string> Corpus(string folder, string pattern) =>
        Directory.GetFiles(Path.Combine(Root, folder), pattern).Order(StringComparer.Ordinal).Select(File.ReadAllText);

    private static void Holds(string reader, IEnumerable<string> mutants, Action<string> read)
    {
        var n = 0;
        var clock = new System.Diagnostics.Stopwatch();
        foreach (var text in mutants)
        {
            n++;
            clock.Restart();
            try
            {
                read(text);
            }
            catch (InputException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{reader}, mutant {n}: {e.GetType().Name} escaped: {e.Message}\n--- input ---\n{text}");
            }
            // A hang detector, not a timing: a read of at most a few hundred KB takes microseconds to milliseconds.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{reader}, mutant {n}: {clock.Elapsed.TotalSeconds:0.0} s");
        }
    }

    [Fact]
    public void Scenario_files_answer_a_value_or_one_line()
    {
        var corpus = Corpus("config/scenarios", "*.conf").ToList();
        var dir = Path.Combine(Root, "config", "scenarios");
        Holds("ScenarioFile", Mutants.Of(corpus, 3000, 1), text => ScenarioFile.Parse(text, "fuzz.conf", dir));
    }

    [Fact]
    public void Experiment_files_answer_a_value_or_one_line()
    {
        var corpus = Corpus("config/experiments", "*.conf").ToList();
        var scenarios = Path.Combine(Root, "config", "scenarios");
        Holds("ExperimentFile", Mutants.Of(corpus, 2000, 2), text => ExperimentFile.Parse(text, "fuzz.conf", scenarios, 1,
            (name, _) => Path.Combine(scenarios, name + ".conf") is var f && File.Exists(f) ? f : throw new ConfException($"fuzz.conf: scenario: '{name}' is not shipped")));
    }

    [Fact]
    public void Conf_syntax_answers_a_value_or_one_line()
    {
        var corpus = Corpus("config/validation", "*.conf").Concat(Corpus("config/experiments", "*.conf")).ToList();
        Holds("ConfFile", Mutants.Of(corpus, 3000, 3), text => ConfFile.Parse(text, "fuzz.conf"));
    }

    [Fact]
    public void Machine_and_cost_model_files_answer_a_value_or_one_line()
    {
        var dir = Directory.CreateTempSubdirectory("phyr-fuzz-").FullName;
        try
        {
            var machine = Path.Combine(dir, "m.conf");
            var machines = new List<string> { "base = x86-server\nghz = 3.1\ndram-ns = 95\nsockets = 2\n", "name = m\nbase = core-i7-12700\nllc-bytes = 30M\niommu = amd-v1\natomic-ns = 4.5\n" };
            Holds("MachineProfileFile", Mutants.Of(machines, 2000, 4), text =>
            {
                File.WriteAllBytes(machine, Encoding.UTF8.GetBytes(text));
                MachineProfileFile.Load(machine);
            });
            var costs = Path.Combine(dir, "c.conf");
            var models = new List<string> { "gup.lookup-ns = 40\ndma.map-call-ns = 60\n", "cacheline.same-socket-ns = 50\ncacheline.cross-socket-ns = 150\n" };
            Holds("CostModelFile", Mutants.Of(models, 2000, 5), text =>
            {
                File.WriteAllBytes(costs, Encoding.UTF8.GetBytes(text));
                CostModelFile.Load(costs);
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Pfn_files_answer_frames_or_one_line()
    {
        var corpus = Directory.GetFiles(Path.Combine(Root, "data", "layouts"), "*.pfn").Order(StringComparer.Ordinal)
            .Select(f => string.Join('\n', File.ReadLines(f).Take(300))).ToList();
        Holds("PfnFile", Mutants.Of(corpus, 3000, 6), text => PfnFile.Parse(new StringReader(text), "fuzz.pfn"));
    }
}
