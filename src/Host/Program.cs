using Phyr.Host.Cli;

return PhyrCli.Run(args, Console.Out, Console.Error);
