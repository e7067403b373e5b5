package io.pgdr.run;

import io.temporal.common.SearchAttributeKey;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkflowImplementationOptions;

/**
 * The test service as recovery runs need it: pgdr's search attributes registered (a run carrying
 * an unknown one is refused), workers started by each test once its mocks are in place.
 */
public final class RecoveryTestEnvironment {

  private RecoveryTestEnvironment() {}

  public static TestWorkflowExtension.Builder builder(Class<?>... workflowImplementations) {
    TestWorkflowExtension.Builder builder = TestWorkflowExtension.newBuilder()
        // a bug in workflow code (an IllegalStateException) fails the run at once instead of retrying
        // its workflow task forever, which would leave a test waiting on the result until the build's timeout
        .registerWorkflowImplementationTypes(WorkflowImplementationOptions.newBuilder()
            .setFailWorkflowExceptionTypes(IllegalStateException.class, NullPointerException.class).build(), workflowImplementations)
        .setDoNotStart(true)
        // the first workflow task of a JVM loads hundreds of classes: on a busy machine that takes
        // longer than the 1 s default, which would fail the task and retry it after 10 s
        .setWorkerOptions(WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(10_000).build());
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      builder.registerSearchAttribute(key.getName(), key.getValueType());
    }
    return builder;
  }
}
