package io.pgdr.ports;

import java.util.Map;

/**
 * What a restore into a database did.
 *
 * @param database the database restored into
 * @param partsTotal parts the backup has
 * @param partsRestored parts this call restored
 * @param partsAlreadyDone parts found complete in the checkpoint when this call began (an earlier
 *     attempt's work, not redone)
 * @param bytes backup bytes read by this call
 * @param rowCounts rows per table ({@code schema.table}) in the restored database
 */
public record RestoreResult(
    String database, int partsTotal, int partsRestored, int partsAlreadyDone, long bytes, Map<String, Long> rowCounts) {}
