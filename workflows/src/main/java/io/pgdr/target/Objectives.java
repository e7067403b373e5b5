package io.pgdr.target;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Recovery objectives; both default to one hour, as the runbook states. */
public record Objectives(Duration rto, Duration rpo) {

  public static final Objectives DEFAULT = new Objectives(null, null);

  public Objectives {
    rto = rto == null ? Duration.ofHours(1) : rto;
    rpo = rpo == null ? Duration.ofHours(1) : rpo;
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (rto.isNegative() || rto.isZero()) {
      problems.add("objectives.rto: must be positive, e.g. PT1H");
    }
    if (rpo.isNegative()) {
      problems.add("objectives.rpo: must not be negative, e.g. PT1H");
    }
    return problems;
  }
}
