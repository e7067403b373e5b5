package io.pgdr.pool;

import io.pgdr.ports.ClientSession;
import io.pgdr.run.ScenarioOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pool recovery found and did, in its report.
 *
 * @param pod the primary's pod
 * @param clientsBefore client sessions at the diagnosis, of {@code maxConnections}
 * @param clientsAfter client sessions at the verification; null before it
 * @param terminated the sessions ended
 * @param spared approved sessions left alone, each with why
 * @param poolSizeBefore the pool size key's value before a raise was asked; null without one (or when absent)
 * @param poolSizeRaisedTo the pool size this run set; null when it set none
 */
public record PoolRecoveryOutcome(String pod, int maxConnections, int clientsBefore, Integer clientsAfter, List<ClientSession> terminated,
    List<String> spared, String poolSizeBefore, Integer poolSizeRaisedTo) implements ScenarioOutcome {

  public PoolRecoveryOutcome {
    terminated = terminated == null ? List.of() : List.copyOf(terminated);
    spared = spared == null ? List.of() : List.copyOf(spared);
  }

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("connections", clientsBefore + " of " + maxConnections + " on " + pod
        + (clientsAfter == null ? "" : ", " + clientsAfter + " after")));
    if (!terminated.isEmpty()) {
      facts.add(new Fact("ended", String.join(", ", terminated.stream().map(PoolRecoveryOutcome::describe).toList())));
    }
    spared.forEach(s -> facts.add(new Fact("left alone", s)));
    if (poolSizeRaisedTo != null) {
      facts.add(new Fact("pool size", poolSizeRaisedTo + " (was " + (poolSizeBefore == null ? "absent" : poolSizeBefore) + ")"));
    }
    return facts;
  }

  /** One session as the plan and the report name it. */
  static String describe(ClientSession s) {
    return "pid " + s.pid() + " (" + (s.application() == null || s.application().isBlank() ? s.user() : s.application()) + ", "
        + Math.round(s.stateSeconds()) + " s)";
  }
}
