package io.pgdr.activities.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Log lines reach a run's history without the passwords a server may have logged. */
class PodLogTest {

  @Test
  void passwordsInLoggedStatementsAndConnectionStringsAreRedacted() {
    assertEquals("LOG:  statement: ALTER ROLE app PASSWORD '***' VALID UNTIL 'infinity'",
        PodLog.redacted("LOG:  statement: ALTER ROLE app PASSWORD 'it''s secret' VALID UNTIL 'infinity'"));
    assertEquals("FATAL:  could not connect: host=pg-0 user=rep password=*** dbname=x",
        PodLog.redacted("FATAL:  could not connect: host=pg-0 user=rep password=hunter2 dbname=x"));
    assertEquals("LOG:  checkpoint complete", PodLog.redacted("LOG:  checkpoint complete"));
  }
}
