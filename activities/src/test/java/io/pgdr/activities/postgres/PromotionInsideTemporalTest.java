package io.pgdr.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.target.SecretRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same adapter run as a Temporal activity: heartbeats reach the SDK, and failures arrive at
 * the caller with the type and retryability the workflow decides on.
 */
@org.junit.jupiter.api.Tag("real-servers")
class PromotionInsideTemporalTest {

  @TempDir Path dir;
  LabServers lab;
  TestActivityEnvironment temporal;
  List<Object> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    lab = LabServers.create(dir);
    temporal = TestActivityEnvironment.newInstance();
    temporal.registerActivitiesImplementations(lab.activities);
    temporal.setActivityHeartbeatListener(String.class, heartbeats::add);
  }

  @AfterEach
  void stop() {
    if (temporal != null) {
      temporal.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void promotionRunsAndHeartbeatsInsideAnActivity() {
    PostgresActivities activities = temporal.newActivityStub(PostgresActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setHeartbeatTimeout(Duration.ofSeconds(10))
        .build());

    PromotionResult result = activities.promoteServer(lab.standby());

    assertFalse(result.alreadyPrimary());
    assertFalse(activities.inspectServer(lab.standby()).inRecovery());
    heartbeats.forEach(beat -> assertTrue(beat.toString().startsWith("promoting postgresql-1"), beat.toString()));
  }

  @Test
  void refusedCredentialsReachTheCallerAsNonRetryable() {
    var wrongPassword = new PostgresActivitiesImpl(CredentialResolver.fromEnvironment(Map.of("PW", "nope")::get));
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(wrongPassword);
      PostgresActivities activities = env.newActivityStub(PostgresActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30)).build());
      PostgresServer server = lab.server(lab.pair.primary(), SecretRef.environment("postgres", "PW"));

      ActivityFailure failure = assertThrows(ActivityFailure.class, () -> activities.promoteServer(server));

      ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
      assertEquals(FailureTypes.CREDENTIALS_REFUSED, cause.getType());
      assertTrue(cause.isNonRetryable());
    } finally {
      env.close();
    }
  }
}
