package io.pgdr.cli.lab;

import io.pgdr.cli.CliException;
import io.pgdr.cli.ExitCodes;
import io.pgdr.cli.Json;
import io.pgdr.cli.OutputOptions;
import io.pgdr.lab.PatroniCluster;
import io.pgdr.lab.Lab;
import io.pgdr.lab.LabStatus;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "lab", mixinStandardHelpOptions = true,
    description = {"A local lab of real components: a PostgreSQL primary and streaming standby, a Kubernetes API stand-in holding runbook 000's objects, a Service endpoint, an S3 store, and Temporal: the real server with its Web UI when the Temporal CLI is found (PGDR_TEMPORAL_CLI, pgdr's cache, PATH), else Temporal's Java test service."},
    subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Env.class, LabCommand.Down.class, LabDrillCommand.class, LabPatroniRoundCommand.class,
        LabFloorCommand.class})
public final class LabCommand {

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the lab (or show the running one).")
  static final class Up implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LabOptions labOptions;
    @Mixin OutputOptions output;

    @Option(names = "--patroni", description = "Manage the PostgreSQL pair with real Patroni and etcd (Debian packages patroni,"
        + " etcd-server, python3-etcd): the Service follows Patroni's leader; fail over with pgdr failover patroni.")
    boolean patroni;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      LabStatus status = labOptions.lab().up(line -> progress(err, line), patroni);
      print(spec, output, status);
      return ExitCodes.OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the lab's endpoints; exit code 4 when it is not up.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LabOptions labOptions;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      Lab lab = labOptions.lab();
      Optional<LabStatus> status = lab.status();
      if (status.isEmpty()) {
        throw CliException.unavailable("no lab is up at " + lab.dir(), "start it: pgdr lab up");
      }
      print(spec, output, status.get());
      return ExitCodes.OK;
    }
  }

  @Command(name = "env", mixinStandardHelpOptions = true,
      description = "Print shell exports that point pgdr, kubectl and psql at the lab: eval $(pgdr lab env)")
  static final class Env implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LabOptions labOptions;

    @Override
    public Integer call() {
      Lab lab = labOptions.lab();
      LabStatus status = lab.status().orElseThrow(() -> CliException.unavailable("no lab is up at " + lab.dir(), "start it: pgdr lab up"));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("export TEMPORAL_ADDRESS=%s%n", status.temporalAddress());
      out.printf("export KUBECONFIG=%s%n", status.kubeconfig());
      out.printf("export PGDR_TARGET=%s%n", status.targetFile());
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every lab process and delete the lab's directory.")
  static final class Down implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin LabOptions labOptions;

    @Option(names = "--keep", description = "Keep the directory: the next 'lab up' starts on the same databases, backups and Temporal history.")
    boolean keep;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if (keep) {
        labOptions.lab().stop(line -> progress(err, line));
        err.println("lab is down; its directory is kept");
      } else {
        labOptions.lab().down(line -> progress(err, line));
        err.println("lab is down");
      }
      return ExitCodes.OK;
    }
  }

  private static String withLeader(LabStatus status, String leader) {
    try {
      var json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(status.toJson());
      return Json.write(json.put("patroniLeader", leader));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read the lab's status", e);
    }
  }

  static void progress(PrintWriter err, String line) {
    err.println("lab: " + line);
    err.flush();
  }

  static void print(CommandSpec spec, OutputOptions output, LabStatus status) {
    PrintWriter out = spec.commandLine().getOut();
    // who leads changes under the lab: asked of Patroni now, not written at the start
    String leader = status.patroni() == null ? null : PatroniCluster.leaderAt(status.patroni()).orElse("none");
    if (output.json()) {
      out.println(leader == null ? status.toJson() : withLeader(status, leader));
    } else {
      out.printf("lab at %s%n", status.dir());
      out.printf("  target file      %s%n", status.targetFile());
      out.printf("  kubeconfig       %s%n", status.kubeconfig());
      out.printf("  Kubernetes API   %s%n", status.kubernetesApiUrl());
      out.printf("  Temporal         %s%n", status.temporalAddress());
      if (status.temporalServer() != null) {
        out.printf("  Temporal server  %s%n", status.temporalServer());
      }
      if (status.temporalUi() != null) {
        out.printf("  Temporal UI      %s%n", status.temporalUi());
      }
      out.printf("  Service endpoint %s%n", status.serviceEndpoint());
      status.pods().forEach((pod, address) -> out.printf("  pod %-12s %s%n", pod, address));
      if (status.patroni() != null) {
        status.patroni().forEach((member, url) -> out.printf("  patroni %-8s %s%n", member, url));
        out.printf("  patroni leader   %s%n", leader);
      }
      if (status.s3Endpoint() != null) {
        out.printf("  S3 endpoint      %s%n", status.s3Endpoint());
      }
      if (status.temporalFallback() != null) {
        out.printf("%s%n", status.temporalFallback());
      }
    }
    out.flush();
  }
}
