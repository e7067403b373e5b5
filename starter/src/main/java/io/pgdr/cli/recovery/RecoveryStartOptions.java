package io.pgdr.cli.recovery;

import io.pgdr.cli.OutputOptions;
import io.pgdr.cli.TemporalOptions;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every recovery start takes, whatever its scenario: the database (its target file),
 * since when, approved up front or asked, followed or not, or only planned; and where Temporal is
 * and how to print. A scenario command mixes them in, declares only its own options (a restore's
 * {@code --backup}) and hands its request to {@link RecoveryStart}.
 */
final class RecoveryStartOptions {

  /** The scenario command these options are mixed into: its writers, its usage errors. */
  @Spec(Spec.Target.MIXEE) CommandSpec command;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--target", required = true,
      description = "target file (YAML) describing the database (for a restore, with its backups)")
  Path targetFile;

  @Option(names = "--incident-start",
      description = "when the outage began or the data went bad, ISO-8601 (e.g. 2026-11-22T03:12:00Z); RTO is counted from it,"
          + " a restore's RPO to it; default: now")
  String incidentStart;

  @Option(names = "--yes", description = "approve up front (recorded as an approval by you, reason --yes)")
  boolean yes;

  @Option(names = "--follow", description = "follow the run until it ends (with a restore's progress) and print its report")
  boolean follow;

  @Option(names = "--plan",
      description = "diagnose and plan only: diagnosis runs (it only reads); nothing is changed. The run ends with its plan"
          + " (outcome planned) and is always followed to its report. Not with --yes: a plan approves nothing")
  boolean plan;

  /** What the options cannot mean together, refused as a usage error (exit 2) before anything is read or started. */
  void requireConsistent() {
    if (plan && yes) {
      throw new ParameterException(command.commandLine(),
          "--yes does not go with --plan: a plan changes nothing, so there is nothing to approve");
    }
  }

  /** A plan is quick and its report is what was asked for: it is always followed. */
  boolean followToTheEnd() {
    return follow || plan;
  }
}
