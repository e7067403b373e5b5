package io.pgdr.run;

import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * What a run changed, in order, and how each change is handed back: undone by a compensation the
 * scenario registered, or left as it is with an instruction for a person. A change is recorded
 * before its step starts, so a step that stops midway is reported as under way (maybe partly
 * done), never forgotten. {@link #account} is the one place that turns the ledger into the
 * report's "what was changed / what is left / what was not done".
 */
public final class Ledger {

  private static final Logger log = Workflow.getLogger(Ledger.class);

  private final List<ChangeRecord> changes = new ArrayList<>();
  private final Map<String, Runnable> compensations = new LinkedHashMap<>();

  /**
   * Records that {@code step} is about to change the cluster. A step run again (an undo retrying a
   * clean-up that failed) replaces its earlier record: one change, in its latest state.
   */
  void begin(PlannedStep step) {
    changes.removeIf(c -> c.step().equals(step.name()));
    changes.add(new ChangeRecord(step.name(), step.system(), step.change(), ChangeRecord.UNDER_WAY, step.handBack()));
  }

  /** The step was refused before it changed anything: it leaves nothing to hand back. */
  void refused(String step) {
    changes.remove(entry(step));
  }

  void made(String step) {
    update(step, ChangeRecord.MADE, entry(step).handBack());
  }

  /** Replaces the instruction of a change with one that names what the step found (the replica counts it stopped, say). */
  public void handBack(String step, String instruction) {
    update(step, entry(step).state(), instruction);
  }

  /** The run itself brought the change back (the writers it stopped are running again): nothing is left of it. */
  public void handedBack(String step) {
    update(step, ChangeRecord.HANDED_BACK, null);
    compensations.remove(step);
  }

  /**
   * Registers an undo for {@code step}, run by {@link #compensate()} when the run stops before its
   * end, in a scope a cancellation of the run does not cancel. Only for changes whose undo is
   * always safe: a scenario leaves a change that protects data (fenced servers, stopped writers) as
   * it is, with an instruction instead.
   */
  public void compensateWith(String step, Runnable undo) {
    entry(step);
    compensations.put(step, undo);
  }

  /** Runs the registered undos, latest first; one that fails leaves its change standing, with its instruction. */
  void compensate() {
    List<String> steps = new ArrayList<>(compensations.keySet());
    java.util.Collections.reverse(steps);
    CancellationScope detached = Workflow.newDetachedCancellationScope(() -> {
      for (String step : steps) {
        try {
          compensations.get(step).run();
          update(step, ChangeRecord.COMPENSATED, null);
        } catch (RuntimeException e) {
          log.warn("undoing {} failed: {}", step, Timeline.rootMessage(e));
          ChangeRecord entry = entry(step);
          update(step, entry.state(), "undoing it failed (" + Timeline.rootMessage(e) + ")" + (entry.handBack() == null ? "" : "; " + entry.handBack()));
        }
      }
    });
    detached.run();
    compensations.clear();
  }

  public List<ChangeRecord> changes() {
    return List.copyOf(changes);
  }

  /**
   * The sentences after "where it stopped": what the run changed and left standing, what a person
   * has to do about it, and the plan's change steps it never began.
   */
  String account(Plan plan) {
    List<ChangeRecord> standing = changes.stream().filter(ChangeRecord::standing).toList();
    List<String> sentences = new ArrayList<>();
    if (standing.isEmpty() && changes.stream().noneMatch(c -> ChangeRecord.COMPENSATED.equals(c.state()))) {
      sentences.add("Nothing was changed.");
    } else {
      List<String> made = standing.stream().filter(c -> ChangeRecord.MADE.equals(c.state())).map(ChangeRecord::step).toList();
      List<String> underWay = standing.stream().filter(c -> ChangeRecord.UNDER_WAY.equals(c.state())).map(ChangeRecord::step).toList();
      List<String> undone = changes.stream().filter(c -> ChangeRecord.COMPENSATED.equals(c.state())).map(ChangeRecord::step).toList();
      if (!made.isEmpty()) {
        sentences.add("Changed: " + String.join(", ", made) + ".");
      }
      if (!underWay.isEmpty()) {
        sentences.add("Under way when it stopped, maybe partly done: " + String.join(", ", underWay) + ".");
      }
      if (!undone.isEmpty()) {
        sentences.add("Undone: " + String.join(", ", undone) + ".");
      }
    }
    standing.stream().map(ChangeRecord::handBack).filter(h -> h != null).forEach(h -> sentences.add(sentence(h)));
    if (plan != null) {
      List<String> notDone = plan.steps().stream()
          .filter(s -> s.destructive() && changes.stream().noneMatch(c -> c.step().equals(s.name())))
          .map(PlannedStep::name).toList();
      if (!notDone.isEmpty() && !standing.isEmpty()) {
        sentences.add("Not done: " + String.join(", ", notDone) + ".");
      }
    }
    return String.join(" ", sentences);
  }

  /** What the run leaves for people after it ended: the instructions of changes still standing. */
  List<String> left() {
    return changes.stream().filter(ChangeRecord::standing).map(ChangeRecord::handBack).filter(h -> h != null).map(Ledger::sentence)
        .collect(Collectors.toList());
  }

  static String sentence(String text) {
    return text.endsWith(".") ? text : text + ".";
  }

  private ChangeRecord entry(String step) {
    return changes.stream().filter(c -> c.step().equals(step)).reduce((a, b) -> b)
        .orElseThrow(() -> new IllegalStateException("the ledger has no change " + step));
  }

  private void update(String step, String state, String handBack) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      ChangeRecord c = changes.get(i);
      if (c.step().equals(step)) {
        changes.set(i, new ChangeRecord(c.step(), c.system(), c.change(), state, handBack));
        return;
      }
    }
    throw new IllegalStateException("the ledger has no change " + step);
  }
}
