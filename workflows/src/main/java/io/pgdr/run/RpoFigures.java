package io.pgdr.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * RPO as time lost, the same for every scenario; what a scenario measures beside it (WAL bytes
 * between two servers) is in its own result.
 *
 * @param lostSeconds how much time of writes may be lost (an upper bound)
 * @param basis what the loss is counted from, in words
 */
@JsonIgnoreProperties(ignoreUnknown = true) // reports before 2026-12 carried lostBytes here
public record RpoFigures(double lostSeconds, long objectiveSeconds, String basis) {}
