package io.pgdr.cli.drill;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.Operator;
import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.TemporalOptions;
import io.pgdr.drill.DrillCalendar;
import io.pgdr.drill.DrillFleetSummary;
import io.pgdr.drill.DrillModes;
import io.pgdr.target.DatabaseTarget;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "schedule", mixinStandardHelpOptions = true,
    description = {"Drills on a Temporal Schedule (needs the Temporal server: the lab's, when the Temporal CLI is installed, or a"
        + " cluster's): monthly by default, day 1 at 03:00 UTC; a drill still running when the next is due skips it, and one"
        + " missed by more than an hour (the server was down) is skipped, not run late."})
public final class DrillScheduleCommand {

  @Spec CommandSpec spec;

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create the schedule of drills of one database (--target) or of every database in a directory (--targets)")
  int create(@Mixin DrillTargets targets, @Mixin TemporalOptions temporal,
      @Option(names = "--calendar", paramLabel = "CALENDAR", description = "monthly (default: day 1, 03:00 UTC), weekly (Sunday 03:00"
          + " UTC), or fields in UTC: \"day-of-month=1,15 hour=2 minute=30\" (month, day-of-month, day-of-week MON..SUN, hour, minute)")
      String calendarText,
      @Option(names = "--mode", paramLabel = "MODE", defaultValue = DrillModes.RESTORE_REHEARSAL, description = "the drill (default ${DEFAULT-VALUE})")
      String mode,
      @Option(names = "--max-concurrent", paramLabel = "N", description = "with --targets: at most N drills at a time") Integer maxConcurrent,
      @Option(names = "--name", paramLabel = "NAME", description = "the schedule's name (default: namespace.statefulSet, or the directory's name)")
      String name,
      @Option(names = "--note", paramLabel = "TEXT", description = "a note kept on the schedule") String note) {
    DrillCalendar calendar;
    try {
      calendar = DrillCalendar.parse(calendarText);
    } catch (IllegalArgumentException e) {
      throw CliException.badInput("--calendar: " + e.getMessage(), "see pgdr drill schedule create --help");
    }
    if (!DrillModes.ALL.contains(mode)) {
      throw CliException.badInput("--mode " + mode + " is not a drill", "the drills are: " + String.join(", ", DrillModes.ALL));
    }
    DrillRunCommand.requireConcurrency(maxConcurrent, targets);
    if (calendar.next(ZonedDateTime.now(ZoneOffset.UTC), 1).isEmpty()) {
      throw CliException.badInput("--calendar " + calendarText + " never fires", "check the day-of-month against the month");
    }
    List<DatabaseTarget> databases = targets.read();
    String scheduleName = name == null ? targets.name() : name;
    ScheduleHandle created = schedules(temporal).create(scheduleName, databases, calendar, mode, maxConcurrent, Operator.name(), note);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("created %s: %s of %s, %s (UTC)%n", created.getId(), mode, databases.stream().map(DatabaseTarget::name).toList(), calendar.text());
    for (ZonedDateTime next : calendar.next(ZonedDateTime.now(ZoneOffset.UTC), 3)) {
      out.println("  next: " + next);
    }
    return ExitCodes.OK;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "pgdr's drill schedules: paused or not, the next drill, the last")
  int list(@Mixin TemporalOptions temporal, @Mixin OutputOptions output) {
    List<Map<String, Object>> rows = new ArrayList<>();
    DrillSchedules.call(() -> {
      schedules(temporal).client().listSchedules().filter(s -> s.getScheduleId().startsWith(DrillSchedules.ID_PREFIX))
          .sorted(java.util.Comparator.comparing(ScheduleListDescription::getScheduleId))
          .forEach(s -> rows.add(row(s)));
      return null;
    });
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(rows));
    } else {
      out.printf("%-36s %-7s %-22s %-22s %s%n", "SCHEDULE", "PAUSED", "NEXT", "LAST", "NOTE");
      rows.forEach(r -> out.printf("%-36s %-7s %-22s %-22s %s%n", r.get("id"), r.get("paused"), r.get("next"), r.get("last"), r.get("note")));
    }
    return ExitCodes.OK;
  }

  private static Map<String, Object> row(ScheduleListDescription s) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", s.getScheduleId());
    row.put("paused", s.getSchedule().getState().isPaused());
    row.put("note", s.getSchedule().getState().getNote());
    row.put("next", s.getInfo().getNextActionTimes().stream().findFirst().map(Instant::toString).orElse("-"));
    row.put("last", s.getInfo().getRecentActions().stream().reduce((a, b) -> b).map(a -> a.getScheduledAt().toString()).orElse("-"));
    return row;
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "A schedule: its calendar, state, next drills and the last drills' results")
  int describe(@Parameters(paramLabel = "NAME", description = "the schedule (pgdr-drill-... or its name)") String name,
      @Mixin TemporalOptions temporal, @Mixin OutputOptions output) {
    ScheduleDescription described = DrillSchedules.call(() -> schedules(temporal).handle(name).describe());
    WorkflowClient client = temporal.connection().client();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", described.getId());
    view.put("calendar", described.getSchedule().getSpec().getCalendars().stream().map(c -> c.getComment()).toList());
    view.put("paused", described.getSchedule().getState().isPaused());
    view.put("note", described.getSchedule().getState().getNote());
    view.put("overlap", "skip a drill due while the last one runs");
    view.put("catchUpWindow", DrillSchedules.CATCH_UP.toString());
    view.put("next", described.getInfo().getNextActionTimes().stream().limit(5).map(Instant::toString).toList());
    view.put("drillsStarted", described.getInfo().getNumActions());
    view.put("skippedOverlapping", described.getInfo().getNumActionsSkippedOverlap());
    view.put("missedCatchUp", described.getInfo().getNumActionsMissedCatchupWindow());
    List<Map<String, Object>> recent = new ArrayList<>();
    for (ScheduleActionResult action : described.getInfo().getRecentActions()) {
      recent.add(result(client, action));
    }
    view.put("recent", recent);
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Json.write(view));
      return ExitCodes.OK;
    }
    view.forEach((key, value) -> {
      if (!key.equals("recent")) {
        out.printf("%-20s %s%n", key, value);
      }
    });
    for (Map<String, Object> drill : recent) {
      out.printf("%nrun %s (scheduled %s): %s%n", drill.get("workflowId"), drill.get("scheduledAt"), drill.get("status"));
      if (drill.get("summary") instanceof DrillFleetSummary summary) {
        DrillSummaryTable.print(out, summary);
      }
    }
    return ExitCodes.OK;
  }

  /** One drill the schedule started: its status and, once it ended, its summary. */
  private static Map<String, Object> result(WorkflowClient client, ScheduleActionResult action) {
    Map<String, Object> drill = new LinkedHashMap<>();
    drill.put("scheduledAt", action.getScheduledAt().toString());
    if (action.getAction() instanceof ScheduleActionExecutionStartWorkflow started) {
      drill.put("workflowId", started.getWorkflowId());
      var stub = client.newUntypedWorkflowStub(started.getWorkflowId(), Optional.of(started.getFirstExecutionRunId()), Optional.empty());
      WorkflowExecutionStatus status;
      try {
        status = stub.describe().getStatus();
      } catch (io.temporal.client.WorkflowNotFoundException e) {
        drill.put("status", "expired (past the namespace's retention)");
        return drill;
      }
      drill.put("status", status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(java.util.Locale.ROOT));
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        try {
          drill.put("summary", stub.getResult(5, TimeUnit.SECONDS, DrillFleetSummary.class));
        } catch (java.util.concurrent.TimeoutException e) {
          drill.put("summary", null);
        }
      }
    }
    return drill;
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule: no drill starts until it is unpaused")
  int pause(@Parameters(paramLabel = "NAME") String name, @Mixin TemporalOptions temporal,
      @Option(names = "--note", paramLabel = "TEXT", required = true, description = "why (kept on the schedule)") String note) {
    DrillSchedules.call(() -> {
      schedules(temporal).handle(name).pause(note + " (" + Operator.name() + ")");
      return null;
    });
    spec.commandLine().getOut().println("paused " + DrillSchedules.idOf(name) + ": " + note);
    return ExitCodes.OK;
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Unpause a schedule")
  int unpause(@Parameters(paramLabel = "NAME") String name, @Mixin TemporalOptions temporal,
      @Option(names = "--note", paramLabel = "TEXT", required = true, description = "why (kept on the schedule)") String note) {
    DrillSchedules.call(() -> {
      schedules(temporal).handle(name).unpause(note + " (" + Operator.name() + ")");
      return null;
    });
    spec.commandLine().getOut().println("unpaused " + DrillSchedules.idOf(name) + ": " + note);
    return ExitCodes.OK;
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true, description = "Start the schedule's drills now (skipped while its last drill runs)")
  int trigger(@Parameters(paramLabel = "NAME") String name, @Mixin TemporalOptions temporal) {
    DrillSchedules.call(() -> {
      schedules(temporal).handle(name).trigger();
      return null;
    });
    spec.commandLine().getOut().println("triggered " + DrillSchedules.idOf(name) + ": see pgdr drill schedule describe " + name);
    return ExitCodes.OK;
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a schedule; the drills it ran stay in Temporal's history")
  int delete(@Parameters(paramLabel = "NAME") String name, @Mixin TemporalOptions temporal) {
    DrillSchedules.call(() -> {
      schedules(temporal).handle(name).delete();
      return null;
    });
    spec.commandLine().getOut().println("deleted " + DrillSchedules.idOf(name));
    return ExitCodes.OK;
  }

  private static DrillSchedules schedules(TemporalOptions temporal) {
    return new DrillSchedules(temporal.connection().client());
  }
}
