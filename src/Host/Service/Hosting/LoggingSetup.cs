using Akka.Hosting;
using Akka.Logger.Serilog;
using Serilog;
using Serilog.Events;

namespace Phyr.Host.Service.Hosting;

/// <summary>Logging: Serilog for the host (console, and a rolling JSON file in DATA_DIR/logs) and for Akka.</summary>
public static class LoggingSetup
{
    /// <summary>The service's logger, made the static one (Akka.Logger.Serilog writes through it).</summary>
    public static Serilog.ILogger CreateLogger(ServiceOptions options)
    {
        Directory.CreateDirectory(Path.Combine(options.DataDir, "logs"));
        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(Enum.Parse<LogEventLevel>(options.LogLevel))
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .WriteTo.File(new Serilog.Formatting.Compact.CompactJsonFormatter(), Path.Combine(options.DataDir, "logs", "phyr-.log"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14)
            .CreateLogger();
        Log.Logger = logger;
        return logger;
    }

    /// <summary>Akka's log events go to Serilog; dead letters are not logged (stopped runs leave some).</summary>
    public static AkkaConfigurationBuilder WithPhyrLogging(this AkkaConfigurationBuilder akka) => akka
        .ConfigureLoggers(l =>
        {
            l.LogLevel = Akka.Event.LogLevel.InfoLevel;
            l.ClearLoggers();
            l.AddLogger<SerilogLogger>();
        })
        .AddHocon("akka.log-dead-letters = off", HoconAddMode.Prepend);
}
