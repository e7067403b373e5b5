package io.pgdr.ports;

import java.time.Instant;

/** Something a human must hear about now: an approval nobody answered, an RTO about to break. */
public record Escalation(String workflowId, String database, String scenario, String reason, Instant at) {}
