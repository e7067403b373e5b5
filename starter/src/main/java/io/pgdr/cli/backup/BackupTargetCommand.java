package io.pgdr.cli.backup;

import io.pgdr.cli.KubernetesOptions;
import io.pgdr.cli.OutputOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every backup command takes: the target file whose backups section it works on, where Kubernetes is, the output format. */
abstract class BackupTargetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin KubernetesOptions kubernetes;

  @Option(names = "--target", required = true, description = "target file (YAML) with a backups section")
  Path targetFile;
}
