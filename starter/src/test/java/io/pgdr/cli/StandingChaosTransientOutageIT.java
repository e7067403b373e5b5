package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.temporal.api.enums.v1.EventType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The standing chaos test of TransientOutage: a killed primary watched by {@code pgdr wait-recovery},
 * the worker killed between looks; the pod then deleted, so the StatefulSet
 * brings it back on its data, and the worker killed once more as the run verifies it. It ends as an
 * undisturbed wait: back, verified, nothing asked, nothing restarted by pgdr.
 */
@org.junit.jupiter.api.Tag("real-servers")
class StandingChaosTransientOutageIT extends StandingChaos {

  @Test
  void aWaitWhoseWorkerIsKilledAtEveryStepEndsAsAnUndisturbedOne() throws Exception {
    assertEquals("postgresql-0", processes.lab.killPrimary());
    PgdrProcess cli = processes.startPgdr("wait-recovery", "--target", processes.targetFile(), "--check-every", "2", "--follow",
        "--output", "json");

    KillPoints kills = new KillPoints(processes, temporal, RUN);
    // (its first task, the diagnosis every scenario shares, is killed in the other scenarios' chaos tests)
    kills.killWhen("a look's timer fired", () -> kills.history().stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_FIRED));
    try (KubernetesClient kubernetes = processes.lab.kubernetesClient()) {
      kubernetes.pods().inNamespace(KubernetesFixture.NAMESPACE).withName("postgresql-0").delete();
    }
    kills.killAtActivity("VerifyPrimary");
    CliRun run = cli.await(Duration.ofMinutes(5));
    System.out.println("transient outage chaos kills:\n" + kills.table());

    assertEquals(0, run.exitCode(), run.toString());
    JsonNode report = Json.MAPPER.readTree(run.out());
    assertEquals("succeeded", report.path("outcome").asText(), report.toString());
    JsonNode outcome = report.path("result");
    assertTrue(outcome.path("backAfterChecks").asInt() >= 2, outcome.toString());
    assertEquals(false, outcome.path("restarted").asBoolean(), "the StatefulSet brought it back, not pgdr");
    assertEquals(0, report.path("approvals").size(), "nothing was asked");
    JsonNode verified = report.path("verification");
    assertTrue(verified.path("primary").asBoolean() && verified.path("probeWritten").asBoolean() && verified.path("problems").isEmpty(),
        verified.toString());
    assertRtoFromTheRunsStart(report);
  }
}
