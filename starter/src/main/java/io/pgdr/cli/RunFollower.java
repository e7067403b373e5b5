package io.pgdr.cli;

import io.pgdr.run.ApprovalDecision;
import io.pgdr.run.ApprovalRequest;
import io.pgdr.run.RecoveryReport;
import io.pgdr.run.RunStatus;
import io.pgdr.run.StepRecord;
import java.io.Console;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Follows a run until it ends, printing each step as it starts and ends (to stderr, so stdout
 * stays for the report). A pending approval is asked at the terminal when there is one;
 * otherwise the follower says how to answer it from elsewhere and keeps waiting.
 */
public final class RunFollower {

  /**
   * How often the run is described. A describe is cheap (no worker involved); the status query,
   * which a worker answers by replaying the run's history, is asked only when that history has
   * grown, so a long restore step costs its worker nothing while it is followed.
   */
  private static final long POLL_MILLIS = 500;

  private final Runs runs;
  private final PrintWriter progress;
  private final boolean askAtTerminal;
  private final Set<String> shown = new HashSet<>();
  private final ProgressBar bar;
  private final Colours colours;
  private Instant promptedFor;

  public RunFollower(Runs runs, PrintWriter progress, boolean askAtTerminal) {
    this.runs = runs;
    this.progress = progress;
    this.askAtTerminal = askAtTerminal;
    this.bar = new ProgressBar(progress, System.console() != null);
    this.colours = Colours.of(progress);
  }

  public RecoveryReport follow(String run) throws InterruptedException {
    boolean workerMissingShown = false;
    RunStatus status = null;
    long statusAtLength = -1;
    for (Runs.Described now = runs.describe(run); Runs.isOpen(now.state()); now = runs.describe(run)) {
      if (now.historyLength() != statusAtLength) {
        Optional<RunStatus> answer = runs.status(run);
        if (answer.isEmpty()) {
          if (!workerMissingShown) {
            progress.println("  ... no worker answers right now; waiting (the run resumes when a worker is back)");
            progress.flush();
            workerMissingShown = true;
          }
        } else {
          workerMissingShown = false;
          status = answer.get();
          // the length read before the query: a history that grew in between is queried again next time
          statusAtLength = now.historyLength();
          show(run, status);
        }
      }
      if (status != null && "running".equals(currentStepOutcome(status))) {
        String step = status.currentStep();
        now.progress().ifPresent(p -> bar.show(step, p));
      }
      Thread.sleep(POLL_MILLIS);
    }
    bar.finish();
    RecoveryReport report = runs.report(run);
    report.steps().forEach(this::showStep);
    progress.flush();
    return report;
  }

  private void show(String run, RunStatus status) {
    status.steps().forEach(this::showStep);
    ApprovalRequest pending = status.pendingApproval();
    if (pending != null && !pending.requestedAt().equals(promptedFor)) {
      promptedFor = pending.requestedAt();
      progress.printf("  approval needed: %s%n", pending.summary());
      pending.plan().forEach(step -> progress.printf("    - %s%n", step));
      progress.printf("    waiting until %s%n", pending.deadline());
      if (askAtTerminal && System.console() != null) {
        ask(run, pending);
      } else {
        progress.printf("  answer with: pgdr approve %s --reason \"...\"%s   or   pgdr reject %s --reason \"...\"%n",
            run, pending.rpoExceeded() ? " --override-rpo" : "", run);
      }
    }
    progress.flush();
  }

  private void ask(String run, ApprovalRequest pending) {
    Console console = System.console();
    progress.flush();
    String answer = console.readLine("  Approve %s? [y/N] ", pending.step() + " of " + pending.subject());
    boolean approve = answer != null && answer.trim().toLowerCase().startsWith("y");
    String reason = console.readLine("  Reason: ");
    ApprovalDecision decision = new ApprovalDecision(Operator.name(), reason == null || reason.isBlank() ? "answered at the terminal" : reason,
        approve && pending.rpoExceeded());
    try {
      Runs.Delivery delivery = runs.decide(run, pending.step(), decision, approve);
      progress.printf(delivery.applied() ? "  %s by %s%n" : "  %s by %s: sent, not yet applied (no worker answered; the run checks it when one is back)%n",
          approve ? "approved" : "rejected", Operator.name());
    } catch (CliException refused) {
      progress.printf("  not taken: %s%n  answer with: pgdr approve|reject %s --by NAME --reason \"...\"%n", refused.getMessage(), run);
    }
  }

  private static String currentStepOutcome(RunStatus status) {
    return status.steps().isEmpty() ? null : status.steps().get(status.steps().size() - 1).outcome();
  }

  private void showStep(StepRecord step) {
    String key = step.name() + "/" + step.outcome();
    if (shown.contains(key)) {
      return;
    }
    bar.finish();
    if (shown.add(key)) {
      progress.printf("  [%s] %-16s %s%s%n", step.end() == null ? step.start() : step.end(), step.name(),
          colours.outcome(step.outcome(), step.outcome()),
          step.detail() == null || step.end() == null ? "" : ": " + step.detail());
    }
  }
}
