package io.pgdr.activities.postgres;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.ClientSession;
import io.pgdr.ports.ConnectionsReport;
import io.pgdr.ports.FenceResult;
import io.pgdr.ports.TerminatedSessions;
import io.pgdr.ports.PostgresActivities;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.PromotionResult;
import io.pgdr.ports.ServerState;
import io.pgdr.ports.VerificationResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PostgresActivities} over JDBC, one short-lived connection per call. Credentials are
 * resolved inside each call from the server's reference and never logged. Failures carry a type:
 * {@code ServerUnreachable} (retryable), {@code CredentialsRefused}, {@code CredentialsUnavailable},
 * {@code DatabaseMissing}, {@code PermissionDenied} (not retryable).
 */
public final class PostgresActivitiesImpl implements PostgresActivities {

  private static final Logger log = LoggerFactory.getLogger(PostgresActivitiesImpl.class);

  private final CredentialResolver credentials;
  private final PostgresConnector shortCalls;
  private final PostgresConnector longCalls;
  private final Promotion promotion;
  private final Consumer<Object> heartbeat;
  /** A standby that streams replays a fenced primary's last WAL in moments; two minutes means it does not stream. */
  private static final Duration REPLAY_PATIENCE = Duration.ofMinutes(2);
  private static final String MAINTENANCE = "postgres";

  public PostgresActivitiesImpl(CredentialResolver credentials) {
    this(credentials, PostgresConnector.forShortCalls(), PostgresConnector.forLongCalls(), Duration.ofSeconds(60),
        new ActivityHeartbeat());
  }

  /**
   * @param shortCalls connects for inspection, fencing and promotion
   * @param longCalls connects for verification, whose counts of big tables may take minutes
   * @param promotionTimeout how long a promoted server may stay in recovery before the call fails
   *     (and is retried); the activity's start-to-close timeout must be longer
   * @param heartbeat receives progress while waiting; heartbeats the activity by default
   */
  public PostgresActivitiesImpl(CredentialResolver credentials, PostgresConnector shortCalls,
      PostgresConnector longCalls, Duration promotionTimeout, Consumer<Object> heartbeat) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.shortCalls = Objects.requireNonNull(shortCalls, "shortCalls");
    this.longCalls = Objects.requireNonNull(longCalls, "longCalls");
    this.promotion = new Promotion(promotionTimeout, heartbeat);
    this.heartbeat = heartbeat;
  }

  /** Read-only, so any number of retries is harmless. */
  @Override
  public ServerState inspectServer(PostgresServer server) {
    try (Connection connection = connect(server, shortCalls)) {
      return ServerInspector.inspect(connection, server);
    } catch (SQLException e) {
      if (PostgresFailures.isUnreachable(e)) {
        return ServerState.unreachable(server.pod(), server.address(), e.getMessage());
      }
      throw PostgresFailures.toFailure(server, "inspect", e);
    }
  }

  /** Idempotent: setting read-only again and terminating sessions that are already gone is harmless. */
  @Override
  public FenceResult fenceServer(PostgresServer server) {
    try (Connection connection = connect(server, shortCalls)) {
      int terminated = ReadOnlyFence.apply(connection);
      log.warn("fenced {} ({}): default_transaction_read_only=on persisted, {} client sessions terminated",
          server.pod(), server.address(), terminated);
      return new FenceResult(server.pod(), true, terminated,
          "default_transaction_read_only=on (ALTER SYSTEM, survives restart); " + terminated + " client sessions terminated");
    } catch (SQLException e) {
      if (PostgresFailures.isUnreachable(e)) {
        // A dead old primary cannot take writes now; the Kubernetes-side fence covers its return.
        return new FenceResult(server.pod(), false, 0, "unreachable: " + e.getMessage());
      }
      throw PostgresFailures.toFailure(server, "fence", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("fence of " + server.pod() + " interrupted", FailureTypes.INTERRUPTED);
    }
  }

  /** Idempotent: a server out of recovery is reported {@code alreadyPrimary} and not touched. */
  @Override
  public PromotionResult promoteServer(PostgresServer server) {
    try (Connection connection = connect(server, shortCalls)) {
      PromotionResult result = promotion.promote(connection, server);
      if (!result.alreadyPrimary()) {
        log.warn("promoted {} ({}): replayed {} before, now at {}", server.pod(), server.address(),
            result.replayLsnBefore(), result.timelineLsn());
      }
      return result;
    } catch (SQLException e) {
      // Unlike inspect and fence, promotion has no answer for an unreachable server: retry.
      throw PostgresFailures.toFailure(server, "promote", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("promotion of " + server.pod() + " interrupted", FailureTypes.INTERRUPTED);
    }
  }

  /** Idempotent: the probe row is keyed by run id, so a retry rewrites it instead of adding one. */
  @Override
  public VerificationResult verifyPrimary(PostgresServer server, List<String> integrityTables, String runId) {
    try (Connection connection = connect(server, longCalls)) {
      // count(*) of a big integrity table is one long statement
      return HeartbeatWhileBlocked.run("verifying " + server.pod() + ": write probe, row counts of " + integrityTables,
          HeartbeatWhileBlocked.aborting(connection),
          () -> PrimaryVerifier.verify(connection, server, integrityTables == null ? List.of() : integrityTables, runId));
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, "verify", e);
    }
  }

  /** Read-only. */
  @Override
  public ConnectionsReport describeConnections(PostgresServer server, Duration longerThan) {
    try (Connection connection = connect(server, shortCalls)) {
      return PoolSessions.describe(connection, longerThan);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, "describe the connections of", e);
    }
  }

  /** Idempotent: a session already ended is reported gone, one that changed since the approval is left alone. */
  @Override
  public TerminatedSessions terminateIdleSessions(PostgresServer server, List<ClientSession> approved, Duration olderThan) {
    try (Connection connection = connect(server, shortCalls)) {
      TerminatedSessions result = PoolSessions.terminate(connection, approved, olderThan);
      log.warn("{}: {} idle-in-transaction sessions terminated, {} already gone, {} left alone", server.pod(),
          result.terminated().size(), result.gone().size(), result.spared().size());
      return result;
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, "end idle sessions on", e);
    }
  }

  /** Idempotent: the scratch database and its table are made unless there, and a marker already written is not written again. */
  @Override
  public String writeMarkers(PostgresServer server, String scratchDatabase, String runId, int from, int to) {
    DrillMarkers.requireScratch(scratchDatabase);
    try (Connection maintenance = connect(server, MAINTENANCE, shortCalls)) {
      DrillMarkers.createDatabase(maintenance, scratchDatabase);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, MAINTENANCE, "create the drill's scratch database on", e);
    }
    try (Connection scratch = connect(server, scratchDatabase, shortCalls)) {
      return DrillMarkers.write(scratch, runId, from, to);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(server, scratchDatabase, "write the drill's markers on", e);
    }
  }

  @Override
  public List<String> copyRoleNames(PostgresServer from, PostgresServer to) {
    List<String> names;
    try (Connection source = connect(from, shortCalls)) {
      names = ScratchRoles.names(source);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(from, "read the role names of", e);
    }
    try (Connection scratch = connect(to, shortCalls)) {
      return ScratchRoles.createMissing(scratch, names);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(to, "create roles on", e);
    }
  }

  /** Read-only. */
  @Override
  public long countMarkers(PostgresServer server, String scratchDatabase, String runId) {
    DrillMarkers.requireScratch(scratchDatabase);
    try (Connection scratch = connect(server, scratchDatabase, shortCalls)) {
      return DrillMarkers.count(scratch, runId);
    } catch (SQLException e) {
      if (DrillMarkers.isMissingDatabase(e)) {
        return 0;
      }
      throw PostgresFailures.toFailure(server, scratchDatabase, "count the drill's markers on", e);
    }
  }

  /** Read-only. */
  @Override
  public String awaitReplayed(PostgresServer standby, String lsn) {
    try (Connection connection = connect(standby, shortCalls)) {
      return ReplayWait.await(connection, standby, lsn, REPLAY_PATIENCE, heartbeat);
    } catch (SQLException e) {
      throw PostgresFailures.toFailure(standby, "wait for the replay of", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("waiting for " + standby.pod() + " to replay interrupted", FailureTypes.INTERRUPTED);
    }
  }

  private Connection connect(PostgresServer server, String database, PostgresConnector connector) throws SQLException {
    return connect(new PostgresServer(server.pod(), server.host(), server.port(), database, server.namespace(), server.credentials()),
        connector);
  }

  private Connection connect(PostgresServer server, PostgresConnector connector) throws SQLException {
    return connector.open(server, credentials.forServer(server));
  }
}
