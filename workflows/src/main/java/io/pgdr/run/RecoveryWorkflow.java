package io.pgdr.run;

import io.pgdr.ports.Escalation;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.VerificationResult;
import io.pgdr.target.DatabaseTarget;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancelExternalWorkflowException;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * What every recovery scenario shares: the RTO clock started at the incident, the approval gate
 * (answered by update or signal, or aborted), the timeline, escalations, the status query and the
 * report that ends the run (a failed run fails the workflow and carries the report). The run keeps
 * the Temporal UI told: its current details say where it is, its search attributes carry its
 * phase, RTO breach and pending approval. A scenario extends this and writes only its own steps.
 */
public abstract class RecoveryWorkflow implements RecoveryRun {

  private static final Logger log = Workflow.getLogger(RecoveryWorkflow.class);

  /**
   * Runs recorded before search attributes were upserted replay without those commands; runs
   * started since upsert them.
   */
  private static final String SEARCH_ATTRIBUTES_CHANGE = "search-attributes";
  /**
   * Since version 1 the incident starts, when not given, at the run's start (not when a worker
   * first ran it), and a run whose workflow ID is not its database's is refused.
   */
  private static final String RUN_IDENTITY_CHANGE = "incident-start-and-identity";
  /**
   * Runs recorded before failed escalations were recorded as warnings failed where the escalation
   * did; runs since record it and go on.
   */
  private static final String UNDELIVERED_ESCALATION_CHANGE = "undelivered-escalation";
  /**
   * Since version 1 a run cancelled from Temporal undoes what it registered and keeps a report
   * (outcome cancelled). Runs recorded before let a cancellation at the approval gate escape, and
   * failed like any stopped step when it reached them inside a step.
   */
  private static final String CANCEL_REPORT_CHANGE = "cancel-report";
  /**
   * Since version 1 a recovery cancels its database's drill, if one runs, before its diagnosis: the
   * drill cleans up its scratch copy and the recovery does not wait for it.
   */
  private static final String DRILL_YIELDS_CHANGE = "drill-yields";
  /** Since version 1 a run ends by keeping its report in the target's store (pgdr/reports/ in its bucket). */
  private static final String REPORT_STORE_CHANGE = "report-store";

  protected final Timeline timeline = new Timeline(this::showDetails);
  /** What the run changed and how each change is handed back. */
  protected final Ledger ledger = new Ledger();
  private final String scenario;
  /** The steps the scenario declared after its diagnosis: what the approver saw. */
  private Plan plan;
  private VerificationResult verification;
  /** When the database was verified: the RTO's end; null until then. */
  private Instant recoveredAt;

  protected DatabaseTarget target;
  private String phase = RunSearchAttributes.FIRST_PHASE;
  private ApprovalGate gate;
  private RtoClock clock;
  private RecoveryReport report;
  private boolean upsertSearchAttributes;
  /** The run passed its approval and is changing the cluster: too late to abort. */
  private boolean changing;
  /** The run passed its gate (approved, or nothing to approve): only the plan's steps may run. */
  private boolean pastGate;
  /** The run is ending on bad input, before any change: its report says so. */
  private boolean badInput;
  /** The decision the run was started with (the CLI's --yes); null when none. */
  private ApprovalDecision preApproval;
  /** One line per escalation the webhook did not take, or report the store did not keep, shown with the run's warnings. */
  private final List<String> undeliveredEscalations = new ArrayList<>();

  protected RecoveryWorkflow(String scenario) {
    this.scenario = scenario;
  }

  /**
   * A run from its request to its report, the same for every scenario: the target checked, the
   * scenario's diagnosis and plan, the plan alone when that was asked, the approval, the planned
   * steps, the report. Every way a run can stop (a failed step, a scenario's refusal, a rejection,
   * a timeout, a cancellation) ends here, and the report says where it stopped, what was changed
   * and what is left, from the ledger.
   *
   * @param planOnly true: end with the plan after the diagnosis, changing nothing
   */
  protected final RecoveryReport recover(DatabaseTarget target, Instant incidentStart, ApprovalDecision preApproval, Boolean planOnly) {
    this.preApproval = preApproval;
    begin(target, incidentStart, Boolean.TRUE.equals(planOnly));
    List<String> problems = inputProblems();
    if (!problems.isEmpty()) {
      return refuseInput("the target is not valid: " + String.join("; ", problems) + ". Nothing was changed.");
    }
    if (!Boolean.TRUE.equals(planOnly)) {
      cancelDrill();
    }
    try {
      plan = diagnose();
      if (Boolean.TRUE.equals(planOnly)) {
        return finish(RecoveryReport.PLANNED, "the plan, from a diagnosis that only read the cluster: nothing was changed");
      }
      ApprovalRecord decision = needsApproval(plan) || gate.aborted() != null ? approval(approvalRequest(plan), preApproval)
          : noApprovalNeeded();
      if (!decision.approved()) {
        return finish(RecoveryReport.ABORTED, abortMessage(decision));
      }
      phase("recovering");
      String done = change();
      return finish(RecoveryReport.SUCCEEDED, sentences(done, String.join(" ", ledger.left())));
    } catch (ActivityFailure | CanceledFailure | StopRun e) {
      if (CancellationScope.current().isCancelRequested()) {
        if (Workflow.getVersion(CANCEL_REPORT_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
          return cancelled();
        }
        if (e instanceof CanceledFailure) {
          throw e; // as runs recorded before did: a cancellation at the gate ended the run as it was
        }
      }
      if (e instanceof StopRun stop) {
        return stop.badInput() ? refuseInput(stop.getMessage() + ". Nothing was changed.") : stopped(stop.getMessage());
      }
      String stoppedAt = "step " + timeline.current() + " failed: " + Timeline.rootMessage(e);
      return e.getCause() instanceof ApplicationFailure failure && FailureTypes.isBadInput(failure.getType()) && !changing
          ? refuseInput(stoppedAt + ". Nothing was changed.") : stopped(stoppedAt);
    }
  }

  /**
   * A recovery goes first: it asks the database's drill, when one runs, to stop (Temporal's cancel,
   * so the drill drops its scratch copy on its way out), and goes on without waiting. Runs under
   * another ID (a drill, an incident) cancel nothing; a plan-only run neither.
   */
  private void cancelDrill() {
    if (!target.recoveryWorkflowId().equals(workflowId())
        || Workflow.getVersion(DRILL_YIELDS_CHANGE, Workflow.DEFAULT_VERSION, 1) < 1) {
      return;
    }
    String drill = target.drillWorkflowId();
    Async.procedure(() -> {
      try {
        // Temporal accepts a cancel of a drill that already ended without saying so: nothing to note here,
        // the drill's own report says when it was cancelled
        Workflow.newUntypedExternalWorkflowStub(drill).cancel();
        log.info("asked the drill {} to stop, if it runs", drill);
      } catch (CancelExternalWorkflowException noDrill) {
        // no drill ever ran under that ID: nothing to cancel
      }
    });
  }

  /**
   * Ends a run cancelled from Temporal (the UI's Cancel, {@code temporal workflow cancel}): the
   * undos and the report run in a scope the cancellation cannot reach. Temporal closes the run as
   * cancelled whatever it returns and keeps no result, so the report, outcome cancelled, is read
   * from the {@code status} query, as {@code pgdr status} does.
   */
  private RecoveryReport cancelled() {
    RecoveryReport[] ended = new RecoveryReport[1];
    Workflow.newDetachedCancellationScope(() -> {
      if (gate.pending() != null) {
        gate.cancelled();
        upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, false));
      }
      String at = timeline.current(); // before the undos, which run steps of their own
      ledger.compensate();
      ended[0] = finish(RecoveryReport.CANCELLED, sentences("the run was cancelled at step " + at, ledger.account(plan)));
    }).run();
    return ended[0];
  }

  /**
   * Whether the plan needs a person's approval (or a policy's) before it runs: every scenario's
   * does, but one whose plan, as the diagnosis found it, only reads.
   */
  protected boolean needsApproval(Plan plan) {
    return true;
  }

  /** Why a plan {@link #needsApproval} says needs none goes ahead without a decision, as the timeline and the record say it. */
  protected String noApprovalReason() {
    return "nothing in the plan changes the cluster now";
  }

  /** A plan that changes nothing passes the gate without a decision; the timeline says why. */
  private ApprovalRecord noApprovalNeeded() {
    String why = noApprovalReason();
    timeline.skip("approval", "not needed: " + why);
    pastGate = true;
    return new ApprovalRecord("approval", ApprovalRecord.APPROVED, null, why, false, now());
  }

  /**
   * The target policy that could approve this run's plan in a person's place, with the conditions
   * it sets and whether each holds now; null when no policy covers this scenario (the default).
   */
  protected PolicyCheck policyCheck() {
    return null;
  }

  /** The approval the run's changes go ahead on; null before it or when none was needed. */
  protected ApprovalRecord approvalGiven() {
    return gate == null ? null : gate.records().stream().filter(ApprovalRecord::approved).reduce((a, b) -> b).orElse(null);
  }

  /** What in the target or the request this scenario cannot work with; empty when it can start. */
  protected List<String> inputProblems() {
    return target.problems();
  }

  /**
   * The scenario's read-only steps (diagnosis, choices), ending with the plan the approver sees.
   * Throws {@link StopRun} when the run cannot go on.
   */
  protected abstract Plan diagnose();

  /** The approval of {@code plan}: what the approver reads and the estimated loss. */
  protected abstract ApprovalRequest approvalRequest(Plan plan);

  /**
   * The planned steps, once approved, each through {@link #step}; calls {@link #recovered} when
   * the database is verified. Returns the sentence that says what the run achieved.
   */
  protected abstract String change();

  /** What this scenario's run found and did, for the report; null before it found anything. */
  protected abstract ScenarioOutcome outcome();

  /**
   * Runs one step on the timeline. After the approval only the plan's steps may run, and a change
   * step is in the ledger before it starts (under way) and after it ends (made).
   */
  protected <T> T step(String name, Supplier<T> body) {
    // before the approval only reading steps run (the diagnosis); after it, only the plan's steps
    PlannedStep planned = !pastGate ? null : plan.find(name).orElseThrow(() -> new IllegalStateException(
        "step " + name + " is not in the plan the approver saw " + plan.names()));
    if (planned != null && planned.destructive()) {
      changing = true;
      ledger.begin(planned);
    }
    T result;
    try {
      result = timeline.step(name, body);
    } catch (ActivityFailure e) {
      if (planned != null && planned.destructive() && e.getCause() instanceof ApplicationFailure failure
          && FailureTypes.changedNothing(failure.getType())) {
        ledger.refused(name);
      }
      throw e;
    }
    if (planned != null && planned.destructive()) {
      ledger.made(name);
    }
    return result;
  }

  protected void step(String name, Runnable body) {
    step(name, () -> {
      body.run();
      return null;
    });
  }

  /** Runbook B.5: rolls the target's Deployments, so their pods reconnect to where the Service and ConfigMap point now. */
  protected void restartApps(String stepName) {
    restartApps(stepName, runId());
  }

  /**
   * The same, for a run that restarts the applications more than once (a switchover and its switch
   * back): each restart is done once, even on retry, under its own key.
   */
  protected void restartApps(String stepName, String restartKey) {
    step(stepName, () -> {
      List<String> restarted = Ports.kubernetes("rollout restart " + deployments()).restartDeployments(target, restartKey);
      timeline.note("restarted " + (restarted.isEmpty() ? "nothing new" : String.join(", ", restarted)));
    });
  }

  /**
   * Verifies {@code server} as the new primary (out of recovery, write probe, integrity tables): the
   * RTO ends when it passes; a failure stops the run.
   *
   * @param how how the server came to be the primary, as the failure says it ("was promoted")
   */
  protected void verifyPrimary(String stepName, PostgresServer server, String how) {
    phase("verifying");
    VerificationResult result = step(stepName, () -> Ports.postgres("verify " + server.pod())
        .verifyPrimary(server, target.verification().integrityTables(), runId()));
    recovered(result);
    if (!result.passed()) {
      throw new StopRun(server.pod() + " " + how + " but did not pass verification: " + String.join("; ", result.problems()));
    }
  }

  /** The RTO clock's zero: given with the request, or the run's start. */
  protected Instant incidentStart() {
    return clock.incidentStart();
  }

  /** The database passed verification now: RTO's end. */
  protected void recovered(VerificationResult result) {
    verification = result;
    if (result.passed()) {
      recoveredAt = now();
    }
  }

  /** A plan step: as declared, for scenarios to build their plans with. */
  protected static Plan.Builder plan() {
    return Plan.builder();
  }

  /**
   * Ends a run that stopped before its end: undoes what the scenario asked to undo, then fails
   * with where it stopped, what was changed, what is left and what was not done.
   */
  private RecoveryReport stopped(String where) {
    ledger.compensate();
    return finish(RecoveryReport.FAILED, sentences(where, ledger.account(plan)));
  }

  private static String sentences(String first, String rest) {
    String head = first.endsWith(".") ? first : first + ".";
    return rest == null || rest.isBlank() ? head : head + " " + rest;
  }

  /** Takes the target and starts the RTO clock; returns the incident start (now when not given). */
  private Instant begin(DatabaseTarget target, Instant incidentStart, boolean planOnly) {
    upsertSearchAttributes = Workflow.getVersion(SEARCH_ATTRIBUTES_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    this.target = target;
    gate = new ApprovalGate(target.approval());
    // a run started from the UI's start page carries no search attributes: the run sets its own
    List<SearchAttributeUpdate<?>> identity = new ArrayList<>(List.of(
        SearchAttributeUpdate.valueSet(RunSearchAttributes.SCENARIO, scenario),
        SearchAttributeUpdate.valueSet(RunSearchAttributes.PHASE, phase),
        SearchAttributeUpdate.valueSet(RunSearchAttributes.RTO_BREACHED, false),
        SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, false)));
    if (target.name() != null) {
      identity.add(SearchAttributeUpdate.valueSet(RunSearchAttributes.DATABASE, target.name()));
    }
    upsert(identity.toArray(SearchAttributeUpdate<?>[]::new));
    boolean identityChecked = Workflow.getVersion(RUN_IDENTITY_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    if (incidentStart != null) {
      clock = new RtoClock(incidentStart, RtoClock.GIVEN, target.objectives().rto());
    } else if (identityChecked) {
      // the run's start, when the CLI or the UI started it: workers may come much later
      clock = new RtoClock(Instant.ofEpochMilli(Workflow.getInfo().getRunStartedTimestampMillis()), RtoClock.RUN_START, target.objectives().rto());
    } else {
      clock = new RtoClock(now(), RtoClock.FIRST_TASK, target.objectives().rto());
    }
    if (!planOnly) {
      // a plan is a dry run: no RTO warnings, nobody paged
      clock.start(this::showDetails, this::breached);
    }
    showDetails();
    String identityProblem = identityChecked ? identityProblem() : null;
    if (identityProblem != null) {
      refuseInput(identityProblem); // the input is wrong, not the cluster: exit 2, as for a bad target
    }
    return clock.incidentStart();
  }

  /**
   * A run started by hand (the UI's start page asks for a workflow ID) under another ID than its
   * database's would slip past the one-recovery-per-database guard, which is Temporal's own
   * uniqueness of workflow IDs.
   */
  private String identityProblem() {
    String expected = workflowId();
    String actual = Workflow.getInfo().getWorkflowId();
    if (!target.problems().isEmpty() || expected.equals(actual)) {
      return null;
    }
    if (Workflow.getInfo().getParentWorkflowId().filter(expected::equals).isPresent()) {
      return null; // started by the database's running recovery (an escalation), which holds the one-at-a-time guard
    }
    return "this run's workflow ID is " + actual + ", but a" + (expected.startsWith(DatabaseTarget.INCIDENT_PREFIX) ? "n incident" : " recovery")
        + " of " + target.namespace() + "/" + target.statefulSet() + " runs as " + expected
        + ", so that only one runs at a time: start it again with that workflow ID. Nothing was changed";
  }

  /** The workflow ID this scenario's runs of the target use: one at a time per database. */
  protected String workflowId() {
    return target.recoveryWorkflowId();
  }

  /** Moves the run to another phase (see {@link RunSearchAttributes#PHASE}). */
  protected void phase(String next) {
    phase = next;
    upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.PHASE, next));
    showDetails();
  }

  private void breached(String message) {
    upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.RTO_BREACHED, true));
    showDetails();
    if (pagesOnRtoBreach()) {
      escalate(message);
    }
  }

  /** Whether a breached RTO pages (the target's webhook): for a recovery, yes; a drill only measures it. */
  protected boolean pagesOnRtoBreach() {
    return true;
  }

  private void upsert(SearchAttributeUpdate<?>... updates) {
    if (upsertSearchAttributes) {
      Workflow.upsertTypedSearchAttributes(updates);
    }
  }

  /** The run's current details, which the Temporal UI shows on the run's page while it is open. */
  private void showDetails() {
    Workflow.setCurrentDetails(RunDetails.markdown(status()));
  }

  /**
   * The gate before the first destructive step: an abort taken earlier ends the run here; a fitting
   * pre-approval (the CLI's --yes) is recorded and used; otherwise the run waits for a decision, and
   * nobody answering in time escalates.
   */
  private ApprovalRecord approval(ApprovalRequest request, ApprovalDecision preApproval) {
    ApprovalRecord decision = awaitDecision(request, preApproval);
    // nothing may stop the run between here and its first destructive step, in this same task
    changing = decision.approved();
    pastGate = changing;
    return decision;
  }

  private ApprovalRecord awaitDecision(ApprovalRequest request, ApprovalDecision preApproval) {
    ApprovalRecord aborted = gate.aborted();
    if (aborted != null) {
      timeline.skip("approval", "aborted by " + aborted.by() + (aborted.reason() == null ? "" : " (" + aborted.reason() + ")"));
      return aborted;
    }
    if (preApproval != null) {
      ApprovalRecord given = gate.preApproved(request, preApproval);
      if (given != null) {
        timeline.skip("approval", "pre-approved by " + given.by() + " (" + given.reason() + ")");
        return given;
      }
    }
    PolicyCheck check = policyCheck();
    if (check != null && target.approval().has(check.policy())) {
      ApprovalRecord given = gate.byPolicy(request, check, target.owner());
      if (given != null) {
        timeline.skip("approval", "approved by policy " + check.policy() + ": " + String.join("; ", check.held()));
        return given;
      }
    }
    phase("awaiting-approval");
    return timeline.step("approval", () -> {
      ApprovalRecord decision = gate.await(request, () -> {
        upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, true));
        showDetails();
      });
      upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, false));
      RunMetrics.approvalWaited(scenario, Duration.between(request.requestedAt(), now()));
      timeline.note(decision.decision() + (decision.by() == null ? "" : " by " + decision.by()));
      if (ApprovalRecord.TIMED_OUT.equals(decision.decision())) {
        escalate("approval to " + request.summary() + " not answered within " + gate.timeout() + "; run aborted");
      }
      return decision;
    });
  }

  /**
   * Asks for a decision from within {@link #change()} without waiting for it (a restart while the run
   * keeps watching): pending, with the gate's rules, until answered ({@link #answer()}) or
   * {@link #withdraw withdrawn}. The run's pre-approval (--yes) answers it at once when it fits.
   *
   * @param preApprovable whether the run's pre-approval may answer it: false for a change the
   *     person who started the run cannot have meant to approve up front (a failover from a wait)
   * @return the pre-approval when it answered the request; null when the request is pending
   */
  protected ApprovalRecord ask(ApprovalRequest request, boolean preApprovable) {
    if (preApproval != null && preApprovable) {
      ApprovalRecord given = gate.preApproved(request, preApproval);
      if (given != null) {
        timeline.note("pre-approved by " + given.by() + ": " + request.summary());
        return given;
      }
    }
    gate.open(request);
    upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, true));
    phase("awaiting-approval");
    return null;
  }

  /** The decision on what {@link #ask} asked, once there is one (then nothing is pending); null until then. */
  protected ApprovalRecord answer() {
    ApprovalRecord answered = gate.take();
    if (answered != null) {
      upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, false));
      timeline.note(answered.decision() + (answered.by() == null ? "" : " by " + answered.by()) + ": " + answered.step());
      phase("recovering");
    }
    return answered;
  }

  /** Whether a decision arrived on what {@link #ask} asked: what a wait wakes on. */
  protected boolean answered() {
    return gate.hasAnswer();
  }

  /** Withdraws what {@link #ask} asked, which nobody answered: it is no longer needed. */
  protected void withdraw(String why) {
    if (gate.withdraw()) {
      upsert(SearchAttributeUpdate.valueSet(RunSearchAttributes.APPROVAL_PENDING, false));
      timeline.note("request withdrawn: " + why);
      phase("recovering");
    }
  }

  /** The deadline an approval request shows, counted from {@code now}. */
  protected Instant approvalDeadline(Instant now) {
    return gate.deadlineFrom(now);
  }

  /**
   * Tells humans (log and webhook). A webhook that still fails after the activity's retries does
   * not fail the recovery: the run records it in its warnings and on the timeline, so the people
   * reading the run or its report know that nobody was paged.
   */
  protected void escalate(String reason) {
    log.warn("escalating: {}", reason);
    try {
      Ports.notifications("escalate: " + (reason.length() > 80 ? reason.substring(0, 77) + "..." : reason))
          .escalate(target.notifications(), new Escalation(Workflow.getInfo().getWorkflowId(), target.name(), scenario, reason, now()));
    } catch (ActivityFailure failure) {
      if (Workflow.getVersion(UNDELIVERED_ESCALATION_CHANGE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
        throw failure;
      }
      String warning = "escalation to " + target.notifications().webhookHost() + " not delivered: " + Timeline.rootMessage(failure);
      log.warn(warning);
      undeliveredEscalations.add(warning);
      timeline.note(warning);
      showDetails();
    }
  }

  private static String abortMessage(ApprovalRecord decision) {
    String byWhom = " by " + decision.by() + (decision.reason() == null ? "" : " (" + decision.reason() + ")");
    return switch (decision.decision()) {
      case ApprovalRecord.REJECTED -> "rejected" + byWhom + ": nothing was changed";
      case ApprovalRecord.ABORTED -> "aborted" + byWhom + " before any change: nothing was changed";
      default -> "no approval within the timeout: nothing was changed";
    };
  }

  /** RPO figures for the report, or null when the run got no estimate. */
  protected abstract RpoFigures rpo();

  /** Ends a run that failed on its input (target, bucket, prefix, backup named) before changing anything. */
  private RecoveryReport refuseInput(String message) {
    badInput = true;
    return finish(RecoveryReport.FAILED, message);
  }

  /**
   * Ends the run with its report. A failed run throws {@link RecoveryFailure} (the workflow
   * fails, the report rides along); others return the report as the result.
   */
  private RecoveryReport finish(String outcome, String message) {
    report = new RecoveryReport(scenario, target.name(), Workflow.getInfo().getWorkflowId(), outcome, message,
        clock.incidentStart(), now(), clock.figures(recoveredAt), rpo(), gate.records(), timeline.steps(),
        verification, plan == null ? null : plan.steps(), ledger.changes(), outcome(), badInput ? Boolean.TRUE : null);
    // a plan changed nothing and a refused input may name no store: neither is an incident to keep
    if (!RecoveryReport.PLANNED.equals(outcome) && !badInput
        && Workflow.getVersion(REPORT_STORE_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      keep(report);
    }
    phase(outcome);
    RunMetrics.runFinished(report);
    if (RecoveryReport.FAILED.equals(outcome)) {
      log.error("recovery failed: {}", message);
      throw RecoveryFailure.of(report);
    }
    return report;
  }

  /**
   * Keeps the report where the failing database cannot take it with it: the target's object store.
   * A store that does not take it is a warning on the run (its status), never the run's failure.
   */
  private void keep(RecoveryReport report) {
    String[] warning = new String[1];
    if (target.backups() == null) {
      warning[0] = "the report was not kept: the target names no object store (backups) to keep it in";
    } else {
      // a cancellation that comes as the run ends must not cost its report
      Workflow.newDetachedCancellationScope(() -> {
        try {
          String where = Ports.reports("keep the report in s3://" + target.backups().bucket() + "/pgdr/reports/")
              .writeReport(target.backups(), target.namespace() + "." + target.statefulSet(), runId(), report);
          log.info("report kept at {}", where);
        } catch (ActivityFailure | CanceledFailure e) {
          warning[0] = "the report was not kept in s3://" + target.backups().bucket() + "/pgdr/reports/: " + Timeline.rootMessage(e);
        }
      }).run();
    }
    if (warning[0] != null) {
      log.warn(warning[0]);
      undeliveredEscalations.add(warning[0]);
    }
  }

  @Override
  public void approve(ApprovalDecision decision) {
    if (gate != null) { // a signal that arrives before the run has read its target finds nothing pending
      gate.onDecision(decision, true);
      showDetails();
    }
  }

  @Override
  public void reject(ApprovalDecision decision) {
    if (gate != null) {
      gate.onDecision(decision, false);
      showDetails();
    }
  }

  @Override
  public void validateDecide(StepDecision decision) {
    String refusal = decision == null ? "a decision is needed: {step, approve, by, reason, overrideRpo}"
        : gate == null ? "the run has not started yet; try again in a moment"
        : gate.refusalOf(decision);
    if (refusal != null) {
      throw refused(refusal + " (phase " + phase + ")");
    }
  }

  /**
   * An update refused by its validator. It carries no stack trace: the UI's update dialog shows the
   * failure's message and, under it, any stack trace, which here would be the SDK's internals.
   */
  private static IllegalArgumentException refused(String reason) {
    IllegalArgumentException refused = new IllegalArgumentException(reason);
    refused.setStackTrace(new StackTraceElement[0]);
    return refused;
  }

  @Override
  public ApprovalRecord decide(StepDecision decision) {
    ApprovalRecord recorded = gate.decide(decision);
    showDetails();
    return recorded;
  }

  @Override
  public void validateAbort(AbortRequest request) {
    String refusal = gate == null ? "the run has not started yet; try again in a moment"
        : report != null ? "the run has ended " + report.outcome()
        : pastGate && !changing ? "the run is past its approval gate (phase " + phase + "): reject the decision it asks for, or"
            + " cancel the run from Temporal (the UI's Cancel) to stop it"
        : changing ? "the run is already changing the cluster (phase " + phase + "); stopping midway would leave it half-done."
            + " Let it finish, then recover again if needed"
        : gate.refusalOf(request);
    if (refusal != null) {
      throw refused(refusal);
    }
  }

  @Override
  public ApprovalRecord abort(AbortRequest request) {
    log.warn("aborted by {} ({}): {}", request.by(), ApprovalRecord.senderOf(request.sentBy()), request.reason());
    ApprovalRecord recorded = gate.abort(request);
    showDetails();
    return recorded;
  }

  @Override
  public RunStatus status() {
    List<String> warnings = new ArrayList<>();
    if (clock != null) {
      warnings.addAll(clock.warnings());
    }
    if (gate != null) {
      warnings.addAll(gate.refusals());
    }
    warnings.addAll(undeliveredEscalations);
    return new RunStatus(scenario, target == null ? null : target.name(), phase, timeline.current(),
        gate == null ? null : gate.pending(), timeline.steps(), gate == null ? List.of() : gate.records(),
        warnings, clock != null && clock.breached(), report, plan == null || !pastGate ? null : plan.names());
  }

  /** The target's Deployments (the writers), for plans and notes. */
  protected String deployments() {
    return target.deployments().isEmpty() ? "no Deployments" : String.join(", ", target.deployments());
  }

  /** Replica counts by Deployment, {@code fabrica-api=3, fabrica-workers=2}, or {@code none}. */
  protected static String replicas(Map<String, Integer> byDeployment) {
    return byDeployment == null || byDeployment.isEmpty() ? "none" : byDeployment.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
  }

  protected static String runId() {
    return Workflow.getInfo().getRunId();
  }

  protected static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
