package io.pgdr.ports;

/**
 * A PersistentVolume pgdr kept before letting its claim go: its reclaim policy is Retain, so
 * deleting the claim releases the volume (phase Released, data intact) instead of deleting it.
 * To look at the old data, bind a new claim to it by {@code spec.volumeName}.
 *
 * @param claim the claim it was bound to, in the target's namespace
 * @param volume the PersistentVolume's name
 * @param reclaimPolicyBefore its policy before pgdr set Retain (Delete, for dynamically provisioned volumes)
 */
public record KeptVolume(String claim, String volume, String reclaimPolicyBefore) {

  @Override
  public String toString() {
    return volume + " (claim " + claim + ", reclaim policy Retain, was " + reclaimPolicyBefore + ")";
  }
}
