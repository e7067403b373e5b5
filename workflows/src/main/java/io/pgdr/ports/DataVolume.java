package io.pgdr.ports;

/**
 * A pod's data volume as pgdr writes into it: the claim, the PersistentVolume bound to it, the
 * directory where the worker reaches its files (a hostPath or local volume on the worker's node;
 * in the lab, the server's data directory), and the namespace and StatefulSet the claim belongs to.
 *
 * @param path null when the volume is neither a hostPath nor a local volume: a pod pgdr starts in
 *     {@code namespace}, mounting {@code claim}, writes it instead (a recorded history from before
 *     namespace and StatefulSet were kept has them null; its path is set)
 * @param volume null while the claim's StorageClass waits for the first pod to mount it
 *     ({@code WaitForFirstConsumer}): the restore's pod does
 */
public record DataVolume(String claim, String volume, String path, String namespace, String statefulSet) {

  /** The volume by name, or when it comes, for people. */
  public String describe() {
    return volume != null ? volume : "(provisioned when the restore's pod mounts the claim)";
  }
}
