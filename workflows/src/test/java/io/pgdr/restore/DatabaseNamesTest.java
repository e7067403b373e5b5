package io.pgdr.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatabaseNamesTest {

  /** Two run IDs the Temporal server gave two restores a minute apart (UUIDv7: time first, then random). */
  private static final String FIRST = "01a25150-6c3e-7a41-9d2b-3f0c5e8a1b27";
  private static final String SECOND = "01a25150-f1d9-7c02-8e6f-a4b3c2d1e0f9";

  @Test
  void runsStartedAMinuteApartGetNamesOfTheirOwn() {
    assertNotEquals(DatabaseNames.forRun("fabrica_db", FIRST, true), DatabaseNames.forRun("fabrica_db", SECOND, true));
    assertEquals(new DatabaseNames("fabrica_db", "fabrica_db_restore_5e8a1b27", "fabrica_db_before_5e8a1b27"),
        DatabaseNames.forRun("fabrica_db", FIRST, true));
    assertEquals(DatabaseNames.forRun("fabrica_db", FIRST, false), DatabaseNames.forRun("fabrica_db", SECOND, false),
        "as runs recorded before named them: the collision the random part ends");
    assertNotEquals(DatabaseNames.drillScratch("fabrica_db", FIRST), DatabaseNames.drillScratch("fabrica_db", SECOND));
  }

  @Test
  void aDrillDropsOnlyWhatIsNamedAsADrillsScratchDatabase() {
    String scratch = DatabaseNames.drillScratch("Fabrica-DB", FIRST);
    assertEquals("fabrica_db_pgdr_drill_5e8a1b27", scratch);
    assertTrue(DatabaseNames.isDrillScratch(scratch));
    assertTrue(DatabaseNames.isDrillScratch(DatabaseNames.drillScratch("x".repeat(80), FIRST)), "cut to 63 bytes, the tag kept");
    for (String other : new String[] {"fabrica_db", "fabrica_db_restore_5e8a1b27", "postgres", "fabrica_db_pgdr_drill_5e8a1b2",
        "fabrica_db_pgdr_drill_5e8a1b27; DROP DATABASE fabrica_db", "x_pgdr_drill_5E8A1B27", null}) {
      assertFalse(DatabaseNames.isDrillScratch(other), other);
    }
  }
}
