package io.pgdr.cli.recovery;

import picocli.CommandLine.Command;

@Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject the step a run is waiting for; the run aborts before changing anything further.")
public final class RejectCommand extends DecisionOptions {

  @Override
  boolean approve() {
    return false;
  }
}
