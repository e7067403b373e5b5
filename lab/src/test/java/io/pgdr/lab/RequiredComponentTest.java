package io.pgdr.lab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing component skips locally but fails on CI, where skipping would hide a broken setup. */
class RequiredComponentTest {

  @Test
  void aPresentComponentLetsTheTestRun() {
    assertDoesNotThrow(() -> RequiredComponent.require("etcd", true, "apt-get install etcd-server"));
  }

  @Test
  void aMissingComponentSkipsLocallyAndFailsOnCi() {
    Class<? extends RuntimeException> expected = "true".equalsIgnoreCase(System.getenv("CI"))
        ? IllegalStateException.class : TestAbortedException.class;
    RuntimeException thrown = assertThrows(expected,
        () -> RequiredComponent.require("etcd", false, "apt-get install etcd-server"));
    assertEquals("etcd is missing: apt-get install etcd-server", thrown.getMessage());
  }
}
