package io.pgdr.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.pgdr.drill.DrillOutcome;
import io.pgdr.failover.PromotionOutcome;
import io.pgdr.incident.IncidentOutcome;
import io.pgdr.outage.TransientOutageOutcome;
import io.pgdr.patroni.PatroniFailoverOutcome;
import io.pgdr.pitr.PitrOutcome;
import io.pgdr.pool.PoolRecoveryOutcome;
import io.pgdr.rejoin.RejoinOutcome;
import io.pgdr.restore.RestoreOutcome;
import java.util.List;

/**
 * What one scenario's run found and did beyond what every run has: each scenario owns its
 * record, in its own package. The report carries it as a typed field ({@code "kind"} names the
 * scenario's record), so the CLI and the Temporal UI render it without knowing every scenario.
 * The closed list of kinds is here: a new scenario adds its record to it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = PromotionOutcome.class, name = "replica-promotion"),
    @JsonSubTypes.Type(value = RestoreOutcome.class, name = "restore-from-backup"),
    @JsonSubTypes.Type(value = PitrOutcome.class, name = "point-in-time-recovery"),
    @JsonSubTypes.Type(value = PatroniFailoverOutcome.class, name = "patroni-failover"),
    @JsonSubTypes.Type(value = PoolRecoveryOutcome.class, name = "connection-pool-recovery"),
    @JsonSubTypes.Type(value = IncidentOutcome.class, name = "incident"),
    @JsonSubTypes.Type(value = TransientOutageOutcome.class, name = "transient-outage"),
    @JsonSubTypes.Type(value = DrillOutcome.class, name = "failover-drill"),
    @JsonSubTypes.Type(value = RejoinOutcome.class, name = "rejoin")})
public interface ScenarioOutcome {

  /** Label and value pairs, in order, as the CLI's report and the run's page show them. */
  @JsonIgnore
  List<Fact> facts();

  /** One line of a scenario's outcome. */
  record Fact(String label, String value) {}
}
