package io.pgdr.lab;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The labs a test brings up, taken down (servers stopped, directory deleted) after it, whatever became of it. */
final class LabsTakenDown implements AfterEachCallback {

  private final List<Lab> labs = new ArrayList<>();

  Lab add(Lab lab) {
    labs.add(lab);
    return lab;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Lab lab : labs) {
      lab.down(message -> { });
    }
    labs.clear();
  }
}
