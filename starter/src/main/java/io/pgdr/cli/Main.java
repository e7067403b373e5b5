package io.pgdr.cli;

import io.pgdr.lab.LabException;
import io.pgdr.target.TargetYaml.InvalidTargetException;
import io.pgdr.worker.TemporalConnection.TemporalUnavailableException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** Entry point of the {@code pgdr} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(commandLine(out, err, Colours.terminalAllows()).execute(args));
  }

  /** Runs one command line with the given writers, in plain text: what tests call. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err, false).execute(args);
  }

  /** @param terminal out and err reach a person's terminal that shows colours */
  static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean terminal) {
    CommandLine cli = new CommandLine(new PgdrCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionStrategy(parseResult -> {
      if (terminal && !asksForJson(parseResult)) {
        Colours.useFor(out, err);
      }
      return new CommandLine.RunLast().execute(parseResult);
    });
    cli.setParameterExceptionHandler(Main::reportUsageError);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.expandedArgs().contains("-v") || parseResult.expandedArgs().contains("--verbose");
      return report(commandLine.getErr(), e, verbose);
    });
    return cli;
  }

  /** Whether the command run has {@code --output json}: its output is for programs, never coloured. */
  private static boolean asksForJson(CommandLine.ParseResult parseResult) {
    return parseResult.asCommandLineList().stream().anyMatch(command -> asksForJson(command.getCommandSpec()));
  }

  /** Output options are mixed in directly, or inside another mixin (a recovery's start options). */
  private static boolean asksForJson(CommandLine.Model.CommandSpec spec) {
    return spec.mixins().values().stream()
        .anyMatch(mixin -> mixin.userObject() instanceof OutputOptions output && output.json() || asksForJson(mixin));
  }

  /** A command line picocli cannot parse: its message on one line and a hint, not the whole usage; exit 2. */
  private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
    List<String> suggestions = e instanceof CommandLine.UnmatchedArgumentException unmatched ? unmatched.getSuggestions() : List.of();
    err.println("pgdr: " + oneLine(e.getMessage()));
    err.println("hint: " + (suggestions.isEmpty() ? "" : "did you mean " + String.join(" or ", suggestions) + "? ") + "see " + help);
    err.flush();
    return ExitCodes.BAD_INPUT;
  }

  /** An error is one line of bounded length, whatever values it quotes (values are cut shorter where echoed). */
  static String oneLine(String message) {
    String line = String.valueOf(message).replaceAll("\\R+", " ");
    return line.length() > MAX_ERROR_LINE ? line.substring(0, MAX_ERROR_LINE) + "…" : line;
  }

  private static final int MAX_ERROR_LINE = 2000;

  /** One line with what went wrong and a hint; the stack trace only with -v. */
  static int report(PrintWriter err, Exception e, boolean verbose) {
    int code;
    String hint = null;
    if (e instanceof CliException cli) {
      code = cli.exitCode();
      hint = cli.hint();
    } else if (e instanceof InvalidTargetException) {
      code = ExitCodes.BAD_INPUT;
      hint = "fix the target file; see docs/target.md for its fields";
    } else if (e instanceof LabException lab) {
      code = ExitCodes.UNAVAILABLE;
      hint = lab.hint();
    } else if (e instanceof TemporalUnavailableException) {
      code = ExitCodes.UNAVAILABLE;
    } else {
      code = ExitCodes.RUN_FAILED;
      hint = "run again with -v for details";
    }
    err.println("pgdr: " + oneLine(e.getMessage()));
    if (hint != null) {
      err.println("hint: " + hint);
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
