package io.pgdr.ports;

/**
 * @param live the database name applications use, now holding the restored data
 * @param keptAs the name the replaced database keeps (never dropped by pgdr)
 * @param alreadySwapped an earlier attempt had swapped them; nothing was changed by this call
 * @param terminatedSessions sessions ended on either database to allow the rename
 */
public record SwapResult(String live, String keptAs, boolean alreadySwapped, int terminatedSessions) {}
