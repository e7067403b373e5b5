package io.pgdr.outage;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a wait for a transient outage saw and did, in its report.
 *
 * @param checks how many times the run looked
 * @param backAfterChecks the check that found the primary answering; null when it did not come back
 * @param restarted pgdr restarted the pod (after an approval)
 * @param usage the pod's resource use at the last look, or why there is none
 * @param escalation the failover's workflow ID; null when the run did not escalate
 * @param escalationReport the failover's report; null before it ended or without one
 */
public record TransientOutageOutcome(String pod, int checks, Integer backAfterChecks, boolean restarted, String usage,
    String escalation, RecoveryReport escalationReport) implements ScenarioOutcome {

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("primary pod", pod + (backAfterChecks == null ? "" : ", back at check " + backAfterChecks) + " (" + checks
        + (checks == 1 ? " check" : " checks") + (restarted ? ", restarted by pgdr" : "") + ")"));
    if (usage != null) {
      facts.add(new Fact("resource use", usage));
    }
    if (escalation != null) {
      facts.add(new Fact("escalated", escalation));
    }
    if (escalationReport != null) {
      facts.add(new Fact(escalationReport.scenario(), escalationReport.outcome() + ": " + escalationReport.message()));
    }
    return facts;
  }
}
