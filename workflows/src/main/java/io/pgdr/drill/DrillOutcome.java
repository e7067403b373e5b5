package io.pgdr.drill;

import io.pgdr.ports.ReadinessReport;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.run.ScenarioOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a drill found and measured, in its report.
 *
 * @param scratchDatabase the scratch database the backup was restored into (dropped at the end)
 * @param check row counts against the backup's manifest; null before the check
 * @param verifiedAfterSeconds from the drill's start to a verified copy: the RTO a restore would take now; null before it
 * @param backupAgeSeconds from the backup's data to the drill's start: the RPO a restore would have now
 * @param verdicts one line per objective, measured against it; empty before the drill was judged
 * @param passed whether every objective held; null before the drill was judged
 * @param scratchDropped whether the scratch database is gone
 * @param readiness the readiness check the drill ran first; null in drills recorded before it
 */
public record DrillOutcome(String mode, String pod, String backupKey, Instant backupDataAsOf, String scratchDatabase, RestoreCheck check,
    Double verifiedAfterSeconds, Double backupAgeSeconds, List<String> verdicts, Boolean passed, boolean scratchDropped,
    ReadinessReport readiness)
    implements ScenarioOutcome {

  public DrillOutcome {
    verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("drill", mode + (passed == null ? "" : passed ? ": passed" : ": FAILED")));
    if (backupKey != null) {
      facts.add(new Fact("backup", backupKey + " (data as of " + backupDataAsOf + ")"));
    }
    if (scratchDatabase != null) {
      facts.add(new Fact("scratch", scratchDatabase + " on " + pod + (scratchDropped ? ", dropped" : ", NOT dropped")));
    }
    if (check != null) {
      facts.add(new Fact("check", check.passed() ? check.actual().size() + " tables match the manifest" : String.join("; ", check.problems())));
    }
    verdicts.forEach(v -> facts.add(new Fact("objective", v)));
    if (readiness != null) {
      facts.add(new Fact("readiness", readiness.summary()));
    }
    return facts;
  }
}
