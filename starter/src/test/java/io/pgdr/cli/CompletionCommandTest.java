package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code pgdr completion} prints a bash/zsh script that completes pgdr's commands and their options. */
class CompletionCommandTest {

  @Test
  void printsAScriptNamingEveryCommand() {
    CliRun run = CliRun.of("completion");

    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    assertTrue(run.out().startsWith("#!/usr/bin/env bash"), run.out().lines().findFirst().orElse(""));
    assertTrue(run.out().contains("complete -F _complete_pgdr"), "registers the completion function for pgdr");
    for (String command : new String[] {"failover", "restore", "backup", "status", "list", "approve", "reject", "worker", "lab", "completion"}) {
      assertTrue(run.out().contains(command), "completes " + command);
    }
    assertTrue(run.out().contains("promote-replica"), "completes subcommands of subcommands");
    assertTrue(run.out().contains("--override-rpo"), "completes options");
  }

  @Test
  void helpListsCompletionAndList() {
    CliRun run = CliRun.of("--help");

    assertTrue(run.out().contains("completion"), run.out());
    assertTrue(run.out().contains("list"), run.out());
  }
}
