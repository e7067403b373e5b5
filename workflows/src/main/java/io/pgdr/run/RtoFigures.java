package io.pgdr.run;

import java.util.List;

/**
 * @param measuredSeconds incident start to verification passed; null when the run did not recover
 * @param warnings the thresholds of the objective that passed during the run
 * @param incidentStartBasis where the incident start (RTO's zero) came from; null in runs recorded before it was said
 */
public record RtoFigures(Double measuredSeconds, long objectiveSeconds, boolean breached, List<String> warnings, String incidentStartBasis) {}
