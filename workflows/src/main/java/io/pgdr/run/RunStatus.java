package io.pgdr.run;

import java.util.List;

/**
 * A run as the {@code status} query shows it. {@code phase}: diagnosing, awaiting-approval,
 * recovering, verifying, succeeded, failed, aborted.
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
    RecoveryReport report) {}
