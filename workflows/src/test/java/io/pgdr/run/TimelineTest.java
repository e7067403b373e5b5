package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A run's timeline: each step's outcome, time and notes, a skipped step, and a failure's own words. */
class TimelineTest {

  @WorkflowInterface
  public interface ThreeSteps {
    @WorkflowMethod
    List<StepRecord> run();
  }

  public static class ThreeStepsImpl implements ThreeSteps {
    @Override
    public List<StepRecord> run() {
      Timeline timeline = new Timeline(() -> { });
      timeline.step("diagnose", () -> {
        Workflow.sleep(Duration.ofSeconds(5));
        timeline.note("postgresql-0 unreachable");
        timeline.note("postgresql-1 standby");
      });
      timeline.skip("approval", "pre-approved by alice (--yes)");
      try {
        timeline.step("promote", () -> {
          throw ApplicationFailure.newFailureWithCause("promotion failed", "Test", new IllegalStateException("pg_promote returned false"));
        });
      } catch (ApplicationFailure expected) {
        // the step is recorded failed; the caller decides what the run does
      }
      return timeline.steps();
    }
  }

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(ThreeStepsImpl.class).build();

  @Test
  void stepsRecordTheirOutcomeTimeAndNotesAndAFailureInItsOwnWords(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<StepRecord> steps = client.newWorkflowStub(ThreeSteps.class, WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build()).run();

    assertEquals(List.of("diagnose", "approval", "promote"), steps.stream().map(StepRecord::name).toList());
    assertEquals("succeeded", steps.get(0).outcome());
    assertEquals(5.0, steps.get(0).seconds(), 0.5);
    assertEquals("postgresql-0 unreachable; postgresql-1 standby", steps.get(0).detail());
    assertEquals("skipped", steps.get(1).outcome());
    assertEquals(0.0, steps.get(1).seconds());
    assertEquals("pre-approved by alice (--yes)", steps.get(1).detail());
    assertEquals("failed", steps.get(2).outcome());
    assertEquals("pg_promote returned false", steps.get(2).detail(), "the innermost cause, as the activity said it");
  }
}
