package io.pgdr.run;

/** The task queue every pgdr worker polls and every run is started on. */
public final class TaskQueues {
  public static final String PGDR = "pgdr";

  private TaskQueues() {}
}
