package io.pgdr.incident;

import io.pgdr.run.RecoveryReport;
import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What an incident found, recommended and started, in its report: the child run's report is part of it.
 *
 * @param findings the assessment, one line per finding with its evidence
 * @param recommended the scenario recommended; null when none fits
 * @param reasons why
 * @param child the child run's workflow ID; null when none was started
 * @param childReport the child run's report; null before it ended or when none was started
 */
public record IncidentOutcome(String cause, List<Alert> alerts, List<String> findings, String recommended, List<String> reasons,
    String child, RecoveryReport childReport) implements ScenarioOutcome {

  public IncidentOutcome {
    alerts = alerts == null ? List.of() : List.copyOf(alerts);
    findings = findings == null ? List.of() : List.copyOf(findings);
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    if (cause != null && !cause.isBlank()) {
      facts.add(new Fact("cause", cause));
    }
    alerts.forEach(a -> facts.add(new Fact("alert", a.line())));
    findings.forEach(f -> facts.add(new Fact("found", f)));
    facts.add(new Fact("recommended", recommended == null ? "no scenario" : recommended));
    reasons.forEach(r -> facts.add(new Fact("because", r)));
    if (child != null) {
      facts.add(new Fact("started", child));
    }
    if (childReport != null) {
      facts.add(new Fact(childReport.scenario(), childReport.outcome() + ": " + childReport.message()));
      if (childReport.result() != null) {
        childReport.result().facts().forEach(f -> facts.add(new Fact("  " + f.label(), f.value())));
      }
    }
    return facts;
  }
}
