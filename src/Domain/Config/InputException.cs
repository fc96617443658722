namespace Phyr.Domain.Config;

/// <summary>
/// Bad input — a file, a value, an option — told in one line naming where it is (a file and line, a key) and what is
/// wrong. The command line prints it and exits 2, the service answers 400 with it; never a stack trace.
/// </summary>
public class InputException(string message) : Exception(message);
