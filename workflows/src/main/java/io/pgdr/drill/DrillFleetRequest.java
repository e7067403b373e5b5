package io.pgdr.drill;

import io.pgdr.target.DatabaseTarget;
import java.util.List;

/**
 * @param targets the databases to drill (their target files as read: references to secrets, never a secret)
 * @param mode each drill's mode; null: {@value DrillModes#RESTORE_REHEARSAL}
 * @param maxConcurrent at most this many drills at a time; null or less than 1: {@value #DEFAULT_CONCURRENCY}
 */
public record DrillFleetRequest(List<DatabaseTarget> targets, String mode, Integer maxConcurrent, String requestedBy) {

  public static final int DEFAULT_CONCURRENCY = 2;

  public int concurrency() {
    return maxConcurrent == null || maxConcurrent < 1 ? DEFAULT_CONCURRENCY : maxConcurrent;
  }
}
