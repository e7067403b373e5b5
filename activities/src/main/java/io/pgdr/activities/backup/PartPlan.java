package io.pgdr.activities.backup;

import java.util.ArrayList;
import java.util.List;

/**
 * One data part to take: a block range of a table. The last part of a table has no upper bound,
 * so rows in blocks added after the size was read (they are not in the snapshot anyway, but the
 * size is not transactional) are never missed.
 *
 * @param toBlock exclusive; null for the table's last part
 */
record PartPlan(DumpTable table, int part, long fromBlock, Long toBlock) {

  static List<PartPlan> split(DumpTable table, long blocksPerPart) {
    List<PartPlan> parts = new ArrayList<>();
    long from = 0;
    int part = 0;
    while (table.blocks() - from > blocksPerPart) {
      parts.add(new PartPlan(table, part++, from, from + blocksPerPart));
      from += blocksPerPart;
    }
    parts.add(new PartPlan(table, part, from, null));
    return parts;
  }

  /** Relative to the backup's directory, as in docs/backup-format.md. */
  String key() {
    return "data/" + table.name() + "." + part + ".copy.gz";
  }

  /** The part's rows in the snapshot, as a TID range scan. */
  String copyOutSql() {
    StringBuilder where = new StringBuilder();
    if (fromBlock > 0) {
      where.append(" WHERE ctid >= '(").append(fromBlock).append(",0)'::tid");
    }
    if (toBlock != null) {
      where.append(where.isEmpty() ? " WHERE" : " AND").append(" ctid < '(").append(toBlock).append(",0)'::tid");
    }
    return "COPY (SELECT " + table.columns() + " FROM ONLY " + table.quoted() + where + ") TO STDOUT (FORMAT "
        + (table.binary() ? "binary)" : "text)");
  }

  String describe() {
    return table.name() + " part " + part;
  }
}
