package io.pgdr.cli;

import io.pgdr.lab.LabException;
import io.pgdr.target.TargetYaml.InvalidTargetException;
import io.pgdr.worker.TemporalConnection.TemporalUnavailableException;
import java.io.PrintWriter;
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
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.expandedArgs().contains("-v") || parseResult.expandedArgs().contains("--verbose");
      return report(commandLine.getErr(), e, verbose);
    });
    return cli;
  }

  /** Whether the command run has {@code --output json}: its output is for programs, never coloured. */
  private static boolean asksForJson(CommandLine.ParseResult parseResult) {
    return parseResult.asCommandLineList().stream()
        .flatMap(command -> command.getCommandSpec().mixins().values().stream())
        .anyMatch(mixin -> mixin.userObject() instanceof OutputOptions output && output.json());
  }

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
    } else if (e instanceof TemporalUnavailableException || e instanceof LabException) {
      code = ExitCodes.UNAVAILABLE;
    } else {
      code = ExitCodes.RUN_FAILED;
      hint = "run again with -v for details";
    }
    err.println("pgdr: " + e.getMessage());
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
