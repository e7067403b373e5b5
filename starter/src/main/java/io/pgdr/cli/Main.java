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
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs one command line with the given writers: what tests call. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine(out, err);
    return cli.execute(args);
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new PgdrCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.expandedArgs().contains("-v") || parseResult.expandedArgs().contains("--verbose");
      return report(commandLine.getErr(), e, verbose);
    });
    return cli;
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
