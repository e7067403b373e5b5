package io.pgdr.cli.drill;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.drill.DrillCalendar;
import io.pgdr.drill.DrillFleetRequest;
import io.pgdr.drill.DrillFleetWorkflow;
import io.pgdr.run.TaskQueues;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * pgdr's drill schedules on Temporal: one Schedule per database or directory of targets, named
 * {@code pgdr-drill-<name>}, starting a {@link DrillFleetWorkflow} (whose drills run under their
 * databases' drill IDs, which a recovery knows and cancels). A drill still running when the next one
 * is due makes the schedule skip that one; one missed by more than {@link #CATCH_UP} (the server was
 * down) is skipped too, not run late.
 */
final class DrillSchedules {

  static final String ID_PREFIX = "pgdr-drill-";
  static final Duration CATCH_UP = Duration.ofHours(1);

  private final ScheduleClient schedules;

  DrillSchedules(WorkflowClient client) {
    this.schedules = ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
        ScheduleClientOptions.newBuilder().setNamespace(client.getOptions().getNamespace()).build());
  }

  static String idOf(String name) {
    return name.startsWith(ID_PREFIX) ? name : ID_PREFIX + name;
  }

  ScheduleHandle create(String name, List<DatabaseTarget> targets, DrillCalendar calendar, String mode, Integer maxConcurrent,
      String createdBy, String note) {
    String id = idOf(name);
    Schedule schedule = Schedule.newBuilder()
        .setAction(ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(DrillFleetWorkflow.class)
            .setArguments(new DrillFleetRequest(targets, mode, maxConcurrent, "schedule " + id + " (created by " + createdBy + ")"))
            // the schedule appends each fire time to this ID
            .setOptions(WorkflowOptions.newBuilder().setWorkflowId(DrillFleetWorkflow.ID_PREFIX + name).setTaskQueue(TaskQueues.PGDR).build())
            .build())
        .setSpec(calendar.spec())
        .setPolicy(SchedulePolicy.newBuilder().setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP).setCatchupWindow(CATCH_UP).build())
        .setState(ScheduleState.newBuilder().setNote(note == null ? "created by " + createdBy : note).build())
        .build();
    return call(() -> {
      try {
        return schedules.createSchedule(id, schedule, ScheduleOptions.newBuilder().build());
      } catch (ScheduleAlreadyRunningException e) {
        throw new CliException(ExitCodes.ALREADY_RUNNING, "the schedule " + id + " already exists",
            "see it with: pgdr drill schedule describe " + id + "; delete it first to create it anew");
      }
    });
  }

  ScheduleHandle handle(String name) {
    return schedules.getHandle(idOf(name));
  }

  ScheduleClient client() {
    return schedules;
  }

  /**
   * Runs a schedule call; the in-process test service (the lab without the Temporal CLI) has no
   * Schedules, and a schedule that does not exist is bad input: both said in one line.
   */
  static <T> T call(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof StatusRuntimeException)) {
        cause = cause.getCause();
      }
      if (cause instanceof StatusRuntimeException grpc) {
        if (grpc.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
          throw CliException.unavailable("this Temporal service has no Schedules (it is Temporal's in-process test service)",
              "schedules need the Temporal server: the lab runs it when the Temporal CLI is installed (see the README), or use a cluster");
        }
        if (grpc.getStatus().getCode() == Status.Code.NOT_FOUND) {
          throw CliException.badInput("no such schedule: " + grpc.getStatus().getDescription(), "list them with: pgdr drill schedule list");
        }
      }
      throw e;
    }
  }
}
