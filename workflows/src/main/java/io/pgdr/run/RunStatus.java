package io.pgdr.run;

import java.util.List;

/**
 * A run as the {@code status} query shows it. {@code phase}: diagnosing, awaiting-approval,
 * recovering, verifying, succeeded, failed, aborted, planned. {@code plan}: the names of the
 * approved plan's steps, which the timeline follows; null before the approval.
 */
public record RunStatus(
    String scenario,
    String database,
    String phase,
    String currentStep,
    ApprovalRequest pendingApproval,
    List<StepRecord> steps,
    List<ApprovalRecord> approvals,
    List<String> warnings,
    boolean rtoBreached,
    RecoveryReport report,
    List<String> plan) {}
