package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.TransferProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The restore's heartbeat progress as the follower draws it. */
class ProgressBarTest {

  @Test
  void aBarShowsTheFractionDoneRateEtaAndCurrentPart() {
    String line = ProgressBar.render("restore", new TransferProgress(250_000_000, 1_000_000_000, 3, 12, 50_000_000, 15, "public.pgbench_accounts"));

    assertEquals("  restore [########......................]  25% 250.0/1000.0 MB, parts 3/12, 50.0 MB/s, ETA 0:15 (public.pgbench_accounts)", line);
  }

  @Test
  void withoutABytesTotalThePartsGiveTheFraction() {
    String line = ProgressBar.render("restore", new TransferProgress(10, -1, 6, 12, 0, -1, null));

    assertTrue(line.contains(" 50% "), line);
    assertFalse(line.contains("ETA"), line);
  }

  @Test
  void intoAFileOrPipeItPrintsPlainLinesNotRedraws() {
    StringWriter out = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(out), false);

    bar.show("restore", new TransferProgress(1, 2, 0, 1, 0, -1, null));
    bar.show("restore", new TransferProgress(2, 2, 1, 1, 0, -1, null)); // within 5 s of the first: not printed
    bar.finish();

    assertEquals(1, out.toString().lines().count(), out.toString());
    assertFalse(out.toString().contains("\r"), "no carriage returns in a log");
  }
}
