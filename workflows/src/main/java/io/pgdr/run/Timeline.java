package io.pgdr.run;

import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The steps of a run as they happen, with workflow time. Every change is told to the run, which
 * shows the current step in its current details (the Temporal UI shows them while the run is open).
 */
public final class Timeline {

  private final List<StepRecord> steps = new ArrayList<>();
  private final Runnable onChange;
  private String current = "starting";

  /** @param onChange runs after each change, in workflow context */
  public Timeline(Runnable onChange) {
    this.onChange = onChange;
  }

  /** Runs one step; a failure is recorded on the step and rethrown. */
  public <T> T step(String name, Supplier<T> body) {
    int index = begin(name);
    try {
      T result = body.get();
      end(index, "succeeded", null);
      return result;
    } catch (RuntimeException e) {
      end(index, "failed", rootMessage(e));
      throw e;
    }
  }

  public void step(String name, Runnable body) {
    step(name, () -> {
      body.run();
      return null;
    });
  }

  /** Records what a step found, shown with the step in the report. */
  public void note(String detail) {
    if (steps.isEmpty()) {
      return;
    }
    int last = steps.size() - 1;
    StepRecord step = steps.get(last);
    String joined = step.detail() == null ? detail : step.detail() + "; " + detail;
    steps.set(last, new StepRecord(step.name(), step.start(), step.end(), step.outcome(), joined));
    onChange.run();
  }

  public void skip(String name, String why) {
    Instant now = now();
    steps.add(new StepRecord(name, now, now, "skipped", why));
    onChange.run();
  }

  public String current() {
    return current;
  }

  public List<StepRecord> steps() {
    return List.copyOf(steps);
  }

  private int begin(String name) {
    current = name;
    steps.add(new StepRecord(name, now(), null, "running", null));
    onChange.run();
    return steps.size() - 1;
  }

  private void end(int index, String outcome, String failure) {
    StepRecord step = steps.get(index);
    String detail = failure == null ? step.detail() : (step.detail() == null ? failure : step.detail() + "; " + failure);
    steps.set(index, new StepRecord(step.name(), step.start(), now(), outcome, detail));
    onChange.run();
  }

  static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /** The innermost message of a failure chain: for an activity failure, what the activity said. */
  public static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    // a failure from an activity reads as its own words, not as "message='...', type='...'"
    String message = cause instanceof TemporalFailure failure ? failure.getOriginalMessage() : cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
