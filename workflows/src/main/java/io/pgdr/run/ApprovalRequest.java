package io.pgdr.run;

import java.time.Instant;
import java.util.List;

/**
 * What the approver sees before the first destructive step: what the step acts on, the estimated
 * loss, the plan, and until when pgdr waits.
 *
 * @param subject what the step acts on: the replica to promote, the backup to restore
 * @param plan the scenario's plan, one line per step ({@link Plan#lines()})
 * @param rpoExceeded the estimated loss is above the target's RPO: approval must say overrideRpo
 */
public record ApprovalRequest(
    String step,
    String summary,
    List<String> plan,
    String subject,
    double estimatedLossSeconds,
    boolean rpoExceeded,
    List<String> allowedApprovers,
    Instant requestedAt,
    Instant deadline) {}
