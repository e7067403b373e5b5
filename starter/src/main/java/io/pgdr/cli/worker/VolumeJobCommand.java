package io.pgdr.cli.worker;

import io.pgdr.activities.pitr.VolumeJobAgent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * What a pod pgdr starts to write a data volume the worker cannot reach runs: one step of a
 * point-in-time recovery, described by its environment. Not for people to run, so hidden.
 */
@Command(name = "volume-job", hidden = true,
    description = "Run one step of a point-in-time recovery on the volume mounted in this pod (started by the pgdr worker).")
public final class VolumeJobCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    return VolumeJobAgent.run(System::getenv);
  }
}
