package io.pgdr.activities.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgdr.ports.RunActivities;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import java.util.Objects;

/** {@link RunActivities} through the worker's own Temporal client: one describe call. */
public final class RunActivitiesImpl implements RunActivities {

  private final WorkflowClient client;

  public RunActivitiesImpl(WorkflowClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public String openRun(String workflowId) {
    try {
      DescribeWorkflowExecutionResponse described = client.getWorkflowServiceStubs().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(client.getOptions().getNamespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
              .build());
      var info = described.getWorkflowExecutionInfo();
      return info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING ? info.getExecution().getRunId() : null;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null; // never ran, or its history is gone
      }
      throw e; // the frontend did not answer: retried
    }
  }
}
