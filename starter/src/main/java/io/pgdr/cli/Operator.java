package io.pgdr.cli;

import io.pgdr.run.ApprovalDecision;
import io.temporal.client.WorkflowClient;

/**
 * Who is at the keyboard. {@link #name()} is the OS user, the approver a decision names when
 * {@code --by} is not given: claimed, like {@code --by}. {@link #sentBy} is what this CLI says it
 * is to Temporal (see {@code TemporalConnection#identity}), recorded beside the approver.
 */
public final class Operator {

  static final String PROGRAM = "pgdr CLI";

  private Operator() {}

  public static String name() {
    return System.getProperty("user.name");
  }

  /** The sender of decisions made through {@code client}: its Temporal identity, which the run's history also shows. */
  public static String sentBy(WorkflowClient client) {
    return client.getOptions().getIdentity() + " (" + PROGRAM + ")";
  }

  /** The approval {@code --yes} gives when a run starts. */
  public static ApprovalDecision preApproval(WorkflowClient client) {
    return new ApprovalDecision(name(), "--yes", false, sentBy(client));
  }
}
