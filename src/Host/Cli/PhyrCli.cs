using System.CommandLine;
using System.CommandLine.Help;
using Phyr.Domain.Config;
using Phyr.Host.Output;

namespace Phyr.Host.Cli;

/// <summary>
/// The `phyr` command line: builds the verbs, runs one, and turns bad input into a one-line message
/// and exit code 2 (internal failures: exit code 1 with the stack trace).
/// </summary>
public static class PhyrCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Phyr: a simulator of how Linux pins user memory and maps it for DMA, and what each descriptor format costs.");
        root.Subcommands.Add(LayoutCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(GupTestCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(CaptureCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        stderr = new PrintableWriter(stderr);
        var root = Build();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (args.Length == 0)
        {
            root.Parse(["--help"]).Invoke(config);
            return ExitCodes.BadInput;
        }

        var parse = root.Parse(args);
        var verb = parse.CommandResult.Command;
        var prefix = verb == root ? "phyr" : $"phyr {verb.Name}";
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            // A mistyped word explains more than the "required command" error it causes.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                        ?? parse.Errors[0];
            stderr.WriteLine($"{prefix}: {PrintableWriter.OneLine(error.Message)} (see '{prefix} --help')");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(config);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"{prefix}: {PrintableWriter.OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (InputException e)
        {
            // Bad input the verb did not catch itself (a file read deep in a run): still one line.
            stderr.WriteLine($"{prefix}: {PrintableWriter.OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is OutOfMemoryException or InsufficientMemoryException)
        {
            stderr.WriteLine($"{prefix}: the run needs more memory than this machine has ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30} GiB available to it): use a smaller region, fewer CPUs or fewer points");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"{prefix}: internal error, please report it: {e}");
            return ExitCodes.InternalError;
        }
    }
}
