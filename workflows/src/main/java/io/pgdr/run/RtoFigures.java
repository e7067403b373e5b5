package io.pgdr.run;

import java.util.List;

/**
 * @param measuredSeconds incident start to verification passed; null when the run did not recover
 * @param warnings the thresholds of the objective that passed during the run
 */
public record RtoFigures(Double measuredSeconds, long objectiveSeconds, boolean breached, List<String> warnings) {}
