package io.pgdr.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * ANSI colours for a person at a terminal. They go only to the process's own stdout and stderr,
 * and only when {@link Main} found them to be a terminal, {@code NO_COLOR} unset and the command
 * not asked for JSON; any other writer (a pipe, a file, a test's StringWriter) gets plain text.
 */
public final class Colours {

  private static final Colours OFF = new Colours(false);
  private static final Colours ON = new Colours(true);
  private static final Set<PrintWriter> TERMINAL = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  private static final String RESET = "\u001B[0m";
  private static final String GREEN = "\u001B[32m";
  private static final String YELLOW = "\u001B[33m";
  private static final String RED = "\u001B[31m";

  private final boolean on;

  private Colours(boolean on) {
    this.on = on;
  }

  /** Marks the writers that reach a person's terminal. */
  static void useFor(PrintWriter... writers) {
    TERMINAL.addAll(List.of(writers));
  }

  /** Whether the terminal may show colours: a console, and no {@code NO_COLOR} (https://no-color.org). */
  static boolean terminalAllows() {
    String noColor = System.getenv("NO_COLOR");
    return System.console() != null && (noColor == null || noColor.isEmpty());
  }

  /** The colours for text written to {@code out}. */
  public static Colours of(PrintWriter out) {
    return TERMINAL.contains(out) ? ON : OFF;
  }

  /** {@code text} in the colour of a run's or step's outcome: succeeded green, failed red, others yellow. */
  public String outcome(String outcome, String text) {
    return switch (outcome.toLowerCase(Locale.ROOT)) {
      case "succeeded" -> paint(GREEN, text);
      case "failed" -> paint(RED, text);
      case "running" -> text;
      default -> paint(YELLOW, text);
    };
  }

  /** Something the operator must not miss: an RTO breach, a warning. */
  public String alarm(String text) {
    return paint(RED, text);
  }

  private String paint(String colour, String text) {
    return on ? colour + text + RESET : text;
  }
}
