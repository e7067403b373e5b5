package io.pgdr.lab;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** For test classes whose tests each change the lab beyond repair (scale it, crash it): a new one per test. */
abstract class PerTestInProcessLab {

  @TempDir Path dir;
  InProcessLab lab;

  @BeforeEach
  void startLab() {
    lab = InProcessLab.start(dir);
  }

  @AfterEach
  void stopLab() {
    if (lab != null) {
      lab.close();
    }
  }
}
