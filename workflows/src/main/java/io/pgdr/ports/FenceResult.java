package io.pgdr.ports;

/**
 * @param reachable the old primary answered and was made read-only with its clients cut
 * @param terminatedSessions client sessions ended on it
 */
public record FenceResult(String pod, boolean reachable, int terminatedSessions, String detail) {}
