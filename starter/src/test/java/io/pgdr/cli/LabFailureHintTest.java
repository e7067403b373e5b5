package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgdr.lab.LabException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A lab failure is "unavailable" (exit 4); one that names its remedy (a drill's lab that is not fresh) shows it as the hint. */
class LabFailureHintTest {

  @Test
  void aLabFailureWithAHintPrintsItAndOneWithoutPrintsNone() {
    StringWriter withHint = new StringWriter();
    int code = Main.report(new PrintWriter(withHint), LabException.withHint("the lab is not a fresh primary/standby pair: x",
        "a drill needs a fresh lab: pgdr lab down, then pgdr lab drill again"), false);
    assertEquals(ExitCodes.UNAVAILABLE, code);
    assertEquals(String.format("pgdr: the lab is not a fresh primary/standby pair: x%n"
        + "hint: a drill needs a fresh lab: pgdr lab down, then pgdr lab drill again%n"), withHint.toString());

    StringWriter without = new StringWriter();
    assertEquals(ExitCodes.UNAVAILABLE, Main.report(new PrintWriter(without), new LabException("the lab is not up; run 'pgdr lab up'"), false));
    assertEquals(String.format("pgdr: the lab is not up; run 'pgdr lab up'%n"), without.toString());
  }
}
