package io.pgdr.cli;

import io.pgdr.run.ApprovalRecord;
import io.pgdr.run.ChangeRecord;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.run.ScenarioOutcome;
import io.pgdr.run.StepRecord;
import java.io.PrintWriter;
import java.util.List;

/** Reports and statuses as a person reads them (outcomes in colour at a terminal, see {@link Colours}). */
public final class ReportView {

  private ReportView() {}

  public static void printReport(PrintWriter out, RecoveryReport r) {
    Colours colours = Colours.of(out);
    out.printf("%s of %s: %s%n", r.scenario(), r.database(), colours.outcome(r.outcome(), r.outcome().toUpperCase()));
    out.printf("  %s%n", r.message());
    out.printf("  run            %s%n", r.workflowId());
    out.printf("  incident start %s%s%n", r.incidentStart(),
        r.rto() == null || r.rto().incidentStartBasis() == null ? "" : " (" + r.rto().incidentStartBasis() + ")");
    if (r.result() != null) {
      // the scenario's own facts: each scenario says what its run found and did
      for (ScenarioOutcome.Fact fact : r.result().facts()) {
        out.printf("  %-14s %s%n", fact.label(), fact.value());
      }
    }
    if (r.rto() != null && !RecoveryReport.PLANNED.equals(r.outcome())) {
      out.printf("  RTO            %s, objective %ds%s%n",
          r.rto().measuredSeconds() == null ? "not recovered" : String.format("%.2fs measured", r.rto().measuredSeconds()),
          r.rto().objectiveSeconds(), r.rto().breached() ? colours.alarm(" (BREACHED)") : "");
    }
    if (r.rpo() != null) {
      // -1 is "not measured": a server promoted before the run looked
      out.printf("  RPO            %s (objective %ds; %s)%n",
          r.rpo().lostSeconds() < 0 ? "loss not measurable" : String.format("%.1fs lost", r.rpo().lostSeconds()),
          r.rpo().objectiveSeconds(), r.rpo().basis());
    }
    for (ApprovalRecord a : r.approvals()) {
      // the approver is as named (--by), the sender as it said: pgdr authenticates neither (docs/ui.md)
      out.printf("  approval       %s %s by %s at %s%s%n", a.step(), a.decision(), a.byAndSender(), a.at(),
          a.reason() == null ? "" : " (" + a.reason() + ")");
    }
    if (r.plan() != null && RecoveryReport.PLANNED.equals(r.outcome())) {
      out.printf("  plan (diagnosis ran, it only reads; nothing was changed):%n");
      r.plan().forEach(step -> out.printf("    - %s%n", step.line()));
    }
    printSteps(out, colours, r.steps());
    for (ChangeRecord change : r.changes()) {
      out.printf("  changed        %s (%s)%s%n", change.step(), change.state(), change.handBack() == null ? "" : ": " + change.handBack());
    }
    if (r.verification() != null) {
      out.printf("  verified       rows %s; connections %s%n", r.verification().rowCounts(), r.verification().connections());
    }
    out.flush();
  }

  public static void printStatus(PrintWriter out, String workflowId, RunStatus s) {
    Colours colours = Colours.of(out);
    out.printf("%s (%s of %s): %s, step %s%s%n", workflowId, s.scenario(), s.database(), s.phase(), s.currentStep(),
        s.rtoBreached() ? colours.alarm(", RTO BREACHED") : "");
    if (s.pendingApproval() != null) {
      out.printf("  awaiting approval until %s: %s%n", s.pendingApproval().deadline(), s.pendingApproval().summary());
    }
    for (String warning : s.warnings()) {
      out.printf("  %s %s%n", colours.alarm("!"), warning);
    }
    if (s.plan() != null && s.report() == null) {
      // the approved plan, which the timeline follows: the steps still to come are the ones not yet listed below
      out.printf("  plan           %s%n", String.join(" -> ", s.plan()));
    }
    printSteps(out, colours, s.steps());
    out.flush();
  }

  private static void printSteps(PrintWriter out, Colours colours, List<StepRecord> steps) {
    out.printf("  %-18s %-10s %9s  %s%n", "STEP", "OUTCOME", "SECONDS", "DETAIL");
    for (StepRecord step : steps) {
      // padded before it is painted, so the columns stay aligned
      out.printf("  %-18s %s %9s  %s%n", step.name(), colours.outcome(step.outcome(), String.format("%-10s", step.outcome())),
          step.seconds() == null ? "-" : String.format("%.3f", step.seconds()), step.detail() == null ? "" : step.detail());
    }
  }
}
