package io.pgdr.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The RTO clock on workflow timers: warnings at 50 % and 80 %, one breach, a late report caught up at once. */
class RtoClockTest {

  /** What the clock said after the run had waited {@code minutesLater} past an incident {@code minutesAgo} old. */
  public record Reading(List<String> warnings, boolean breached, int breachCalls, int warningCalls, RtoFigures figures) {}

  @WorkflowInterface
  public interface ClockRun {
    @WorkflowMethod
    Reading run(long minutesAgo, long minutesLater);
  }

  public static class ClockRunImpl implements ClockRun {
    private int breaches;
    private int warnings;

    @Override
    public Reading run(long minutesAgo, long minutesLater) {
      Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      RtoClock clock = new RtoClock(now.minus(Duration.ofMinutes(minutesAgo)), RtoClock.GIVEN, Duration.ofHours(1));
      List<String> breachMessages = new ArrayList<>();
      clock.start(() -> warnings++, message -> {
        breaches++;
        breachMessages.add(message);
      });
      // a second more lets the clock's own coroutines run, as any step of a real run would
      Workflow.sleep(Duration.ofMinutes(minutesLater).plusSeconds(1));
      return new Reading(clock.warnings(), clock.breached(), breaches, warnings,
          clock.figures(Instant.ofEpochMilli(Workflow.currentTimeMillis())));
    }
  }

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = TestWorkflowExtension.newBuilder().registerWorkflowImplementationTypes(ClockRunImpl.class).build();

  private static Reading read(WorkflowClient client, Worker worker, long minutesAgo, long minutesLater) {
    return client.newWorkflowStub(ClockRun.class, WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build())
        .run(minutesAgo, minutesLater);
  }

  @Test
  void halfwayThroughTheObjectiveOnlyTheFirstWarningHasFired(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Reading r = read(client, worker, 20, 15); // 35 min (and a second) of 60

    assertEquals(List.of("RTO 50% used (30m of 1h)"), r.warnings());
    assertFalse(r.breached());
    assertEquals(1, r.warningCalls());
    assertEquals(35 * 60.0 + 1, r.figures().measuredSeconds(), 0.5);
    assertFalse(r.figures().breached());
    assertEquals(RtoClock.GIVEN, r.figures().incidentStartBasis());
  }

  @Test
  void pastTheObjectiveTheBreachFiresOnceAndTheFiguresSaySo(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Reading r = read(client, worker, 0, 90);

    assertEquals(3, r.warnings().size(), r.warnings().toString());
    assertTrue(r.breached());
    assertEquals(1, r.breachCalls());
    assertTrue(r.figures().breached());
  }

  @Test
  void anIncidentReportedLateRecordsEveryPassedThresholdAtOnce(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Reading r = read(client, worker, 70, 0);

    assertEquals(List.of("RTO 50% used (30m of 1h)", "RTO 80% used (48m of 1h)"), r.warnings().subList(0, 2));
    assertTrue(r.breached(), "70 min into a 60 min objective");
    assertEquals(1, r.breachCalls());
  }
}
