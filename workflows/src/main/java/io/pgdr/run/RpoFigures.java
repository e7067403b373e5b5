package io.pgdr.run;

/**
 * @param lostBytes WAL between the last position known on the old primary and the candidate's
 * @param lostSeconds how much time of writes that WAL may hold (an upper bound)
 * @param basis what "last position known" was, in words
 */
public record RpoFigures(long lostBytes, double lostSeconds, long objectiveSeconds, String basis) {}
