package io.pgdr.restore;

/**
 * The databases a restore run works with: the live name applications use, the new database the
 * backup is restored into, and the name the replaced database keeps. Derived from the run, so a
 * retried or resumed run finds the same names and two runs never share one.
 */
public record DatabaseNames(String live, String restored, String previous) {

  private static final int MAX_IDENTIFIER = 63;

  /**
   * @param fromRandomPart true: the tag is the run ID's last 8 hex digits. Temporal's server gives
   *     runs time-ordered IDs (UUIDv7), whose first 8 digits are the same for every run started within
   *     about a minute: two restores a minute apart would share names. False: the first 8, as runs
   *     recorded before did (a run keeps the names it started with)
   */
  public static DatabaseNames forRun(String live, String runId, boolean fromRandomPart) {
    String tag = tag(runId, fromRandomPart);
    return new DatabaseNames(live, derived(live, "_restore_" + tag), derived(live, "_before_" + tag));
  }

  /** Eight hex digits of the run ID: its last (random) ones, or its first. */
  private static String tag(String runId, boolean fromRandomPart) {
    String hex = runId.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    int length = Math.min(8, hex.length());
    return fromRandomPart ? hex.substring(hex.length() - length) : hex.substring(0, length);
  }

  /** Eight hex digits of the run ID's random part: what names a run's scratch resources. */
  public static String runTag(String runId) {
    return tag(runId, true);
  }

  /** What a drill's scratch database is called: its name says it is a drill's, and nothing else is ever dropped by one. */
  private static final java.util.regex.Pattern DRILL_SCRATCH = java.util.regex.Pattern.compile("[a-z0-9_]*_pgdr_drill_[0-9a-f]{8}");

  /**
   * The scratch database a drill of {@code live} restores into: named for the drill and its run,
   * so it can never be mistaken for the application's, and found again by a retried step.
   */
  public static String drillScratch(String live, String runId) {
    return derived(live.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_"), "_pgdr_drill_" + tag(runId, true));
  }

  /** Whether {@code name} is a drill's scratch database: the only kind a drill drops. */
  public static boolean isDrillScratch(String name) {
    return name != null && DRILL_SCRATCH.matcher(name).matches();
  }

  /** PostgreSQL cuts identifiers at 63 bytes: shorten the base, never the run's tag. */
  private static String derived(String base, String suffix) {
    int room = MAX_IDENTIFIER - suffix.length();
    return (base.length() > room ? base.substring(0, room) : base) + suffix;
  }
}
