package io.pgdr.lab.drill;

import io.pgdr.lab.PostgresNode;
import io.pgdr.lab.PostgresPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What an application sees during a failover: from the moment of the kill, tries a write through
 * the Service endpoint every {@value #RETRY_MILLIS} ms, and records when the first one commits.
 * The floor's probe is the same, aimed straight at the standby it promotes. It writes to the table
 * {@link Markers#writeReplicated} creates.
 */
public final class ServiceWriteProbe implements AutoCloseable {

  /**
   * Pause between tries, so the time measured is late by at most this much. On the 2-core lab,
   * 10 ms measured no worse than 5 ms (the difference was within the noise of bench/failover)
   * and costs the machine half the connection attempts while pgdr is working; 20 ms was worse.
   */
  public static final long RETRY_MILLIS = 10;

  private final String url;
  private final Properties login;
  private final CountDownLatch written = new CountDownLatch(1);
  private final Thread thread;
  private volatile long startedNanos;
  private volatile long firstWriteNanos;
  private volatile boolean stopped;

  private ServiceWriteProbe(String endpoint, LabLogin as) {
    this.url = as.url(endpoint);
    this.login = as.properties("pgdr-drill-probe", "1");
    login.setProperty("socketTimeout", "2");
    this.thread = new Thread(this::probe, "pgdr-service-write-probe");
    thread.setDaemon(true);
  }

  /** A probe writing through the Service, at {@code serviceEndpoint} (host:port), as the applications do. */
  public static ServiceWriteProbe throughService(String serviceEndpoint, PostgresPair pair) {
    return at(serviceEndpoint, LabLogin.of(pair));
  }

  /** A probe writing straight to {@code server}, with no Service in between: the floor's. */
  public static ServiceWriteProbe straightTo(PostgresNode server, PostgresPair pair) {
    return at(server.host() + ":" + server.port(), LabLogin.of(pair));
  }

  /** A probe writing to {@code endpoint} (host:port): a Service or one server. */
  public static ServiceWriteProbe at(String endpoint, LabLogin login) {
    return new ServiceWriteProbe(endpoint, login);
  }

  /** @param startedNanos {@link System#nanoTime()} of the kill: the probe measures from there */
  public void start(long startedNanos) {
    this.startedNanos = startedNanos;
    thread.start();
  }

  /** Seconds from the kill to the first committed write, if one commits within {@code wait}. */
  public Optional<Double> awaitFirstWrite(Duration wait) throws InterruptedException {
    if (!written.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    return Optional.of((firstWriteNanos - startedNanos) / 1e9);
  }

  private void probe() {
    while (!stopped) {
      try (Connection connection = DriverManager.getConnection(url, login);
           Statement statement = connection.createStatement()) {
        statement.executeUpdate("INSERT INTO pgdr_drill.service_writes DEFAULT VALUES");
        firstWriteNanos = System.nanoTime();
        written.countDown();
        return;
      } catch (SQLException e) {
        sleepQuietly(); // refused, read-only or mid-restart: the application would retry too
      }
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(RETRY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopped = true;
  }
}
