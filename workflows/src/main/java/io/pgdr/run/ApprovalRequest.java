package io.pgdr.run;

import java.time.Instant;
import java.util.List;

/**
 * What the approver sees before a destructive step: the candidate, the estimated loss, the steps
 * to come, and until when pgdr waits.
 *
 * @param rpoExceeded the estimated loss is above the target's RPO: approval must say overrideRpo
 */
public record ApprovalRequest(
    String step,
    String summary,
    List<String> plan,
    String candidate,
    long estimatedLossBytes,
    double estimatedLossSeconds,
    boolean rpoExceeded,
    List<String> allowedApprovers,
    Instant requestedAt,
    Instant deadline) {}
