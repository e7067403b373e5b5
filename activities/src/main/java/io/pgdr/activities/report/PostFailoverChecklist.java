package io.pgdr.activities.report;

import io.pgdr.drill.DrillOutcome;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.StepRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runbook 000 §5, "Checklist Pos-Failover", each item ticked from the report's evidence or left open
 * with why and what a person does about it.
 */
final class PostFailoverChecklist {

  record Item(String item, boolean done, String evidence) {}

  private static final Set<String> APP_STEPS = Set.of("restart-apps", "restart-writers", "check-writers");

  private PostFailoverChecklist() {}

  static List<Item> of(RecoveryReport report, String keptAt) {
    List<Item> items = new ArrayList<>();
    boolean drill = report.result() instanceof DrillOutcome;
    var verification = report.verification();
    if (drill) {
      items.add(new Item("New primary working", false, "not applicable: a drill changes no primary"));
    } else if (verification != null && verification.primary() && verification.probeWritten() && verification.problems().isEmpty()) {
      items.add(new Item("New primary working", true, verification.pod() + " answers as the primary, its write probe committed, integrity tables "
          + verification.rowCounts()));
    } else {
      items.add(new Item("New primary working", false, "not verified by this run: " + report.message()));
    }
    Optional<StepRecord> rejoin = succeeded(report, Set.of("rejoin"));
    items.add(rejoin.map(s -> new Item("Replication configured for the new replica", true, "rejoin: " + s.detail()))
        .orElse(new Item("Replication configured for the new replica", false, drill ? "not applicable: a drill changes no replica"
            : "not done by this run: bring the old server back as a standby of the new primary (pg_rewind, or a fresh"
                + " pg_basebackup) and check pg_stat_replication on the new primary")));
    Optional<StepRecord> apps = succeeded(report, APP_STEPS);
    items.add(apps.map(s -> new Item("Applications reconnected", true, s.name() + ": " + s.detail()))
        .orElse(new Item("Applications reconnected", false, drill ? "not applicable: a drill leaves the applications alone"
            : "no restart of the applications in this run: check they reach the database")));
    if (drill && "succeeded".equals(report.outcome())) {
      items.add(new Item("Backups working", true, "the latest valid backup was restored, checked against its manifest and verified by this drill"));
    } else {
      items.add(new Item("Backups working", false, "not checked by this run: pgdr drill run --target FILE restores the latest backup"
          + " into a scratch database and checks it"));
    }
    items.add(new Item("Monitoring active", false, "not checked by pgdr: confirm the alerts (deploy/prometheus-rules.yaml) watch the"
        + " new primary"));
    items.add(new Item("Document the incident", true, "this report, kept at " + keptAt));
    return items;
  }

  private static Optional<StepRecord> succeeded(RecoveryReport report, Set<String> names) {
    return report.steps().stream().filter(s -> names.contains(s.name()) && "succeeded".equals(s.outcome())).reduce((a, b) -> b);
  }
}
