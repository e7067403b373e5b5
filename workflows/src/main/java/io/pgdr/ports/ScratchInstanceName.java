package io.pgdr.ports;

import java.util.regex.Pattern;

/**
 * What a drill's scratch StatefulSet is called: {@code pgdr-drill-<statefulSet>-<tag>}, so nobody
 * takes it for production, and found again by a retried step. Its pod is {@code <name>-0}; a
 * StatefulSet's name leaves room for the pod's ordinal and the controller's revision label (52
 * characters), so a long StatefulSet name is cut, never the run's tag.
 */
public final class ScratchInstanceName {

  private static final String PREFIX = "pgdr-drill-";
  private static final int MAX = 52;
  private static final Pattern NAME = Pattern.compile("pgdr-drill-([a-z0-9]([-a-z0-9]*[a-z0-9])?-)?[0-9a-f]{8}");

  private ScratchInstanceName() {}

  /** @param tag the run's eight hex digits */
  public static String of(String statefulSet, String tag) {
    int room = MAX - PREFIX.length() - 1 - tag.length();
    String base = statefulSet.length() > room ? statefulSet.substring(0, room) : statefulSet;
    base = base.replaceAll("-+$", "");
    return PREFIX + base + "-" + tag;
  }

  /** Whether {@code name} is a drill's scratch StatefulSet: the only kind a drill deletes. */
  public static boolean isScratch(String name) {
    return name != null && name.length() <= MAX && NAME.matcher(name).matches();
  }

  /** The scratch StatefulSet's one pod. */
  public static String pod(String name) {
    return name + "-0";
  }
}
