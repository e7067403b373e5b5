package io.pgdr.cli;

import io.pgdr.ports.TransferProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Draws a long step's heartbeat progress: one line redrawn in place on a terminal, or a plain
 * line every few seconds when the output is a file or a pipe (logs stay readable).
 */
public final class ProgressBar {

  private static final int WIDTH = 30;
  private static final long PLAIN_EVERY_MILLIS = 5_000;

  private final PrintWriter out;
  private final boolean terminal;
  private long lastPlainMillis;
  private boolean drawn;

  public ProgressBar(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  public void show(String step, TransferProgress progress) {
    String line = render(step, progress);
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
      drawn = true;
    } else {
      long now = System.currentTimeMillis();
      if (now - lastPlainMillis < PLAIN_EVERY_MILLIS) {
        return;
      }
      lastPlainMillis = now;
      out.println(line);
    }
    out.flush();
  }

  /** Ends the bar's line so the next output starts on its own. */
  public void finish() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }

  static String render(String step, TransferProgress p) {
    double fraction = p.bytesTotal() > 0 ? Math.min(1.0, (double) p.bytesDone() / p.bytesTotal())
        : p.partsTotal() > 0 ? Math.min(1.0, (double) p.partsDone() / p.partsTotal()) : 0;
    int filled = (int) Math.round(fraction * WIDTH);
    StringBuilder line = new StringBuilder("  ").append(step).append(" [")
        .append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ")
        .append(String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100)));
    line.append(' ').append(megabytes(p.bytesDone()));
    if (p.bytesTotal() > 0) {
      line.append('/').append(megabytes(p.bytesTotal()));
    }
    line.append(" MB");
    if (p.partsTotal() > 0) {
      line.append(", parts ").append(p.partsDone()).append('/').append(p.partsTotal());
    }
    if (p.bytesPerSecond() > 0) {
      line.append(", ").append(megabytes((long) p.bytesPerSecond())).append(" MB/s");
    }
    if (p.etaSeconds() >= 0) {
      line.append(", ETA ").append(String.format(Locale.ROOT, "%d:%02d", p.etaSeconds() / 60, p.etaSeconds() % 60));
    }
    if (p.current() != null && !p.current().isBlank()) {
      line.append(" (").append(p.current()).append(')');
    }
    return line.toString();
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1_000_000.0);
  }
}
