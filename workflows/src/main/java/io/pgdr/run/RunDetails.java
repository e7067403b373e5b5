package io.pgdr.run;

import java.util.List;
import java.util.Locale;

/**
 * A run's current details as the Temporal UI shows them on the run's page (Markdown): where the
 * run is, what it waits for and how to answer, the RTO warnings, and the steps so far.
 */
final class RunDetails {

  private RunDetails() {}

  static String markdown(RunStatus s) {
    StringBuilder md = new StringBuilder();
    RecoveryReport report = s.report();
    if (report != null) {
      md.append("**").append(report.outcome()).append("**: ").append(report.message()).append("\n\n");
      appendResult(md, report);
    } else {
      md.append("**").append(s.phase()).append("**, step `").append(s.currentStep()).append("`\n\n");
    }
    if (report == null) {
      s.approvals().stream().filter(a -> ApprovalRecord.ABORTED.equals(a.decision())).findFirst().ifPresent(a ->
          md.append("**Aborted** by ").append(a.by()).append(": the run stops before its first destructive step\n\n"));
    }
    ApprovalRequest pending = s.pendingApproval();
    if (pending != null) {
      md.append("**Approval pending** until ").append(pending.deadline()).append(": ").append(pending.summary()).append("\n\n");
      for (String step : pending.plan()) {
        md.append("- ").append(step).append('\n');
      }
      // a code span: the UI's Markdown would otherwise print typographic quotes, and the input pasted from it would not be JSON
      md.append("\nAnswer with the update `decide`, input `").append(decideInput(pending)).append('`');
      if (!pending.allowedApprovers().isEmpty()) {
        md.append(", `by` one of: ").append(String.join(", ", pending.allowedApprovers()));
      }
      md.append("\n\n");
    }
    appendApprovals(md, s.approvals());
    if (s.rtoBreached()) {
      md.append("**RTO BREACHED**\n\n");
    }
    for (String warning : s.warnings()) {
      md.append("- warning: ").append(warning).append('\n');
    }
    if (!s.warnings().isEmpty()) {
      md.append('\n');
    }
    appendPlan(md, s);
    appendSteps(md, s.steps());
    return md.toString().strip();
  }

  /** The {@code decide} input for the pending step, to copy with its placeholders filled in. */
  static String decideInput(ApprovalRequest pending) {
    return "{\"step\": \"" + pending.step() + "\", \"approve\": true, \"by\": \"...\", \"reason\": \"...\""
        + (pending.rpoExceeded() ? ", \"overrideRpo\": true" : "") + "}";
  }

  /** The scenario's own facts and what the run changed, as a table and a list. */
  private static void appendResult(StringBuilder md, RecoveryReport report) {
    if (report.result() != null && !report.result().facts().isEmpty()) {
      md.append("| | |\n|---|---|\n");
      for (ScenarioOutcome.Fact fact : report.result().facts()) {
        md.append("| ").append(fact.label()).append(" | ").append(fact.value().replace("|", "\\|")).append(" |\n");
      }
      md.append('\n');
    }
    if (report.plan() != null && RecoveryReport.PLANNED.equals(report.outcome())) {
      md.append("Plan:\n");
      report.plan().forEach(step -> md.append("- ").append(step.line()).append('\n'));
      md.append('\n');
    }
    for (ChangeRecord change : report.changes()) {
      md.append("- changed `").append(change.step()).append("` (").append(change.state()).append(")")
          .append(change.handBack() == null ? "" : ": " + change.handBack()).append('\n');
    }
    if (!report.changes().isEmpty()) {
      md.append('\n');
    }
  }

  /** While the run carries out its approved plan: each planned step, done or to come. */
  private static void appendPlan(StringBuilder md, RunStatus s) {
    if (s.plan() == null || s.report() != null) {
      return;
    }
    md.append("Plan: ");
    for (String step : s.plan()) {
      boolean done = s.steps().stream().anyMatch(r -> r.name().equals(step) && !"running".equals(r.outcome()));
      boolean running = step.equals(s.currentStep()) && !done;
      md.append(done ? "~~" + step + "~~" : running ? "**" + step + "**" : step).append(step.equals(s.plan().get(s.plan().size() - 1)) ? "" : " → ");
    }
    md.append("\n\n");
  }

  /** Each decision with the approver it names and who sent it: the approver is claimed, the sender too. */
  private static void appendApprovals(StringBuilder md, List<ApprovalRecord> approvals) {
    for (ApprovalRecord a : approvals) {
      md.append("- `").append(a.step()).append("` **").append(a.decision()).append("** by ").append(a.byAndSender())
          .append(" at ").append(a.at()).append(a.reason() == null ? "" : ": " + a.reason()).append('\n');
    }
    if (!approvals.isEmpty()) {
      md.append('\n');
    }
  }

  private static void appendSteps(StringBuilder md, List<StepRecord> steps) {
    for (StepRecord step : steps) {
      md.append("1. `").append(step.name()).append("` ").append(step.outcome());
      if (step.seconds() != null) {
        md.append(String.format(Locale.ROOT, " in %.1fs", step.seconds()));
      }
      if (step.detail() != null) {
        md.append(": ").append(step.detail());
      }
      md.append('\n');
    }
  }
}
