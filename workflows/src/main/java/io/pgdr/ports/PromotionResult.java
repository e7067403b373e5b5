package io.pgdr.ports;

/**
 * @param alreadyPrimary the server was no longer in recovery before this call (a retry, or a
 *     promotion done by someone else)
 * @param replayLsnBefore the last WAL position replayed before promotion
 * @param timelineLsn the WAL position right after promotion
 */
public record PromotionResult(String pod, boolean alreadyPrimary, String replayLsnBefore, String timelineLsn) {}
