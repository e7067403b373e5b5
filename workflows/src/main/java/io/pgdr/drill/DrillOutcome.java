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
 * @param switches a switchover's two directions, each measured; empty for a rehearsal
 * @param markersWritten a switchover's marker rows written before the switches; null for a rehearsal
 * @param markersFound those found on the primary after both switches; null before they were counted
 * @param scratchStatefulSet the scratch StatefulSet a rehearsal restored in ({@code pod} is its pod), deleted with its
 *     claim at the end; null when it restored into a scratch database on the primary
 */
public record DrillOutcome(String mode, String pod, String backupKey, Instant backupDataAsOf, String scratchDatabase, RestoreCheck check,
    Double verifiedAfterSeconds, Double backupAgeSeconds, List<String> verdicts, Boolean passed, boolean scratchDropped,
    ReadinessReport readiness, List<SwitchMeasure> switches, Integer markersWritten, Long markersFound,
    String scratchStatefulSet)
    implements ScenarioOutcome {

  public DrillOutcome {
    verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
    switches = switches == null ? List.of() : List.copyOf(switches);
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("drill", mode + (passed == null ? "" : passed ? ": passed" : ": FAILED")));
    if (backupKey != null) {
      facts.add(new Fact("backup", backupKey + " (data as of " + backupDataAsOf + ")"));
    }
    if (scratchStatefulSet != null) {
      facts.add(new Fact("scratch", scratchDatabase + " in StatefulSet " + scratchStatefulSet + " (pod " + pod + ")"
          + (scratchDropped ? ", deleted with its claim" : ", NOT deleted")));
    } else if (scratchDatabase != null) {
      facts.add(new Fact("scratch", scratchDatabase + " on " + pod + (scratchDropped ? ", dropped" : ", NOT dropped")));
    }
    if (check != null) {
      facts.add(new Fact("check", check.passed() ? check.actual().size() + " tables match the manifest" : String.join("; ", check.problems())));
    }
    for (SwitchMeasure s : switches) {
      facts.add(new Fact("switch", s.from() + " -> " + s.to() + ": fenced at " + s.fencedAt() + ", replayed to " + s.replayedTo()
          + (s.seconds() == null ? "" : String.format(", verified after %.1f s", s.seconds()))));
    }
    if (markersWritten != null) {
      facts.add(new Fact("markers", (markersFound == null ? "not counted" : markersFound + " of " + markersWritten + " found")));
    }
    verdicts.forEach(v -> facts.add(new Fact("objective", v)));
    if (readiness != null) {
      facts.add(new Fact("readiness", readiness.summary()));
    }
    return facts;
  }
}
