package io.pgdr.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The steps a run will take once approved, declared by its scenario from what the diagnosis
 * found. The approval shows it, {@code --plan} prints it, and the run may take no change step the
 * plan does not name ({@link RecoveryWorkflow#step}), so what was approved is what runs.
 *
 * @param notes what the approver should know beside the steps (a better option, a consequence)
 */
public record Plan(List<PlannedStep> steps, List<String> notes) {

  public static Builder builder() {
    return new Builder();
  }

  public Optional<PlannedStep> find(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public List<String> names() {
    return steps.stream().map(PlannedStep::name).toList();
  }

  /** One line per step, then the notes: what an approval shows. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>(steps.stream().map(PlannedStep::line).toList());
    notes.forEach(note -> lines.add("note: " + note));
    return lines;
  }

  public static final class Builder {
    private final List<PlannedStep> steps = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public Builder reads(String name, String system, String what) {
      steps.add(PlannedStep.reads(name, system, what));
      return this;
    }

    public Builder changes(String name, String system, String what, String handBack) {
      steps.add(PlannedStep.changes(name, system, what, handBack));
      return this;
    }

    public Builder note(String note) {
      notes.add(note);
      return this;
    }

    public Plan build() {
      return new Plan(List.copyOf(steps), List.copyOf(notes));
    }
  }
}
