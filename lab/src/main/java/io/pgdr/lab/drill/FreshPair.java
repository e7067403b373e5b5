package io.pgdr.lab.drill;

import io.pgdr.lab.Lab;
import io.pgdr.lab.LabException;
import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a drill starts from: a writable primary behind the Service and a streaming standby, as
 * after 'lab up'.
 *
 * @param primary the server of the pod the Service selects
 * @param standby the other one
 */
public record FreshPair(PostgresNode primary, PostgresNode standby) {

  /**
   * The lab's pair, checked to be fresh: the Service selects a primary, the other server is in recovery.
   *
   * @throws LabException when the Service selects no lab server, or a server does not answer or plays the other part
   */
  public static FreshPair of(Lab lab, PostgresPair pair) {
    String servicePod = lab.servicePod().orElseThrow(() -> notFresh("the Service selects no pod by name"));
    PostgresNode primary = null;
    PostgresNode standby = null;
    for (PostgresNode node : pair.nodes()) {
      boolean isPrimary = node.name().equals(servicePod);
      try (Connection c = node.connect(pair.database()); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
        rs.next();
        if (rs.getBoolean(1) == isPrimary) {
          throw notFresh(node.name() + (isPrimary ? " is behind the Service but in recovery" : " is not a standby"));
        }
      } catch (SQLException e) {
        throw notFresh(node.name() + " does not answer (" + e.getMessage() + ")");
      }
      if (isPrimary) {
        primary = node;
      } else {
        standby = node;
      }
    }
    if (primary == null || standby == null) {
      throw notFresh("the Service selects " + servicePod + ", which is not a lab server");
    }
    return new FreshPair(primary, standby);
  }

  private static LabException notFresh(String why) {
    return LabException.withHint("the lab is not a fresh primary/standby pair: " + why,
        "a drill needs a fresh lab: pgdr lab down, then pgdr lab drill again");
  }
}
