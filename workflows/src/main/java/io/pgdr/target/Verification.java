package io.pgdr.target;

import java.util.ArrayList;
import java.util.List;

/**
 * What proves the data is whole after recovery (runbook 000 §4): row counts of named tables, run
 * as {@code SELECT count(*)} with the name quoted, so nothing the file says is pasted into SQL.
 */
public record Verification(List<String> integrityTables) {

  public static final Verification NONE = new Verification(null);

  public Verification {
    integrityTables = integrityTables == null ? List.of() : List.copyOf(integrityTables);
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (String table : integrityTables) {
      if (!SqlIdentifiers.isQualifiedName(table)) {
        problems.add("verification.integrityTables: " + Echo.quoted(table) + " is not a table name (table or schema.table)");
      }
    }
    return problems;
  }
}
