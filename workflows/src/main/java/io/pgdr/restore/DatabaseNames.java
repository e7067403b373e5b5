package io.pgdr.restore;

/**
 * The databases a restore run works with: the live name applications use, the new database the
 * backup is restored into, and the name the replaced database keeps. Derived from the run, so a
 * retried or resumed run finds the same names and two runs never share one.
 */
public record DatabaseNames(String live, String restored, String previous) {

  private static final int MAX_IDENTIFIER = 63;

  public static DatabaseNames forRun(String live, String runId) {
    String tag = runId.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    tag = tag.substring(0, Math.min(8, tag.length()));
    return new DatabaseNames(live, derived(live, "_restore_" + tag), derived(live, "_before_" + tag));
  }

  /** PostgreSQL cuts identifiers at 63 bytes: shorten the base, never the run's tag. */
  private static String derived(String base, String suffix) {
    int room = MAX_IDENTIFIER - suffix.length();
    return (base.length() > room ? base.substring(0, room) : base) + suffix;
  }
}
