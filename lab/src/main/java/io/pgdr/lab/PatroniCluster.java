package io.pgdr.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A real Patroni cluster on loopback: one etcd member and two Patroni nodes ({@code postgresql-0},
 * {@code postgresql-1}), each managing its own PostgreSQL server, all running as the {@code postgres}
 * account from the machine's packages ({@code patroni}, {@code etcd-server}). The first node
 * bootstraps and leads; the second clones from it and streams. The processes are this object's:
 * {@link #close()} stops them (Patroni stops its server).
 *
 * <p>Timing is the lab's, not production's: a short TTL and loop so a failover takes seconds.
 */
public final class PatroniCluster implements AutoCloseable {

  public static final String SCOPE = "pgdr-lab";
  public static final List<String> MEMBERS = List.of("postgresql-0", "postgresql-1");
  static final String SUPERUSER = "postgres";
  static final String REPLICATION_USER = "replicator";
  /**
   * Seconds the leader key lives without renewal (Patroni's floor is 20), and Patroni's loop:
   * Patroni's own failover after a crashed leader takes about the TTL.
   */
  static final int TTL = 20;
  static final int LOOP_WAIT = 2;
  private static final String PID_FILE = "patroni.pid";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  /** One Patroni node: its REST API and its PostgreSQL server's port. */
  public record Member(String name, int restPort, int postgresPort, Path dir) {
    public String restUrl() {
      return "http://127.0.0.1:" + restPort;
    }
  }

  private final Path dir;
  private final String password;
  private final int etcdPort;
  private final Map<String, Member> members;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  /** Members tagged {@code nofailover}: Patroni never makes them leader. */
  private final java.util.Set<String> noFailover = new java.util.HashSet<>();

  private PatroniCluster(Path dir, String password, int etcdPort, Map<String, Member> members) {
    this.dir = dir;
    this.password = password;
    this.etcdPort = etcdPort;
    this.members = members;
  }

  /** Whether this machine has what the cluster needs. */
  public static boolean present() {
    return Files.isExecutable(Path.of("/usr/bin/patroni")) && Files.isExecutable(Path.of("/usr/bin/etcd")) && PostgresBinaries.present();
  }

  public static final String INSTALL_HINT = "install Patroni and etcd: apt-get install patroni etcd-server python3-etcd";

  /** Starts etcd and both nodes; returns once {@code postgresql-0} leads and {@code postgresql-1} streams from it. */
  public static PatroniCluster create(Path dir, Consumer<String> progress) {
    if (!present()) {
      throw new LabException("Patroni or etcd is missing: " + INSTALL_HINT);
    }
    Map<String, Member> members = new LinkedHashMap<>();
    PatroniCluster cluster;
    try {
      Files.createDirectories(dir);
      PostgresOsUser.makeReachable(dir);
      PostgresOsUser.own(dir);
      for (String name : MEMBERS) {
        Path memberDir = Files.createDirectories(dir.resolve(name));
        PostgresOsUser.own(memberDir);
        members.put(name, new Member(name, 0, 0, memberDir));
      }
      cluster = new PatroniCluster(dir, PostgresPair.randomPassword(), PostgresPair.freePort(), members);
    } catch (IOException e) {
      throw new LabException("cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    try {
      progress.accept("etcd on 127.0.0.1:" + cluster.etcdPort);
      cluster.startEtcd();
      Member first = cluster.withPorts(MEMBERS.get(0));
      progress.accept("patroni " + first.name() + " bootstraps (REST " + first.restUrl() + ", PostgreSQL port " + first.postgresPort() + ")");
      cluster.startMember(first.name());
      cluster.awaitLeader(first.name());
      Member second = cluster.withPorts(MEMBERS.get(1));
      progress.accept("patroni " + second.name() + " clones from " + first.name());
      cluster.startMember(second.name());
      cluster.awaitStreaming(second.name());
      progress.accept("Patroni cluster " + SCOPE + " ready: " + first.name() + " leads, " + second.name() + " streams");
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Gives a member its ports and writes its configuration, just before it starts: ports chosen
   * earlier may meanwhile be other connections' local ports.
   */
  private Member withPorts(String name) {
    Member member = members.get(name);
    Member ported = new Member(name, PostgresPair.freePort(), PostgresPair.freePort(), member.dir());
    members.put(name, ported);
    writeConfig(ported);
    return ported;
  }

  public Map<String, Member> members() {
    return members;
  }

  public String password() {
    return password;
  }

  public String superuser() {
    return SUPERUSER;
  }

  public Path dir() {
    return dir;
  }

  /** The lab's database on the leader, seeded as the plain lab's: it reaches the replica by streaming. */
  public void createLabDatabase(String leader) {
    try (Connection connection = connect(leader, "postgres"); var statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + PostgresPair.DATABASE);
    } catch (SQLException e) {
      throw new LabException("cannot create " + PostgresPair.DATABASE + " on " + leader + ": " + e.getMessage(), e);
    }
    try (Connection connection = connect(leader, PostgresPair.DATABASE)) {
      PostgresPair.seed(connection);
    } catch (SQLException e) {
      throw new LabException("cannot seed " + PostgresPair.DATABASE + ": " + e.getMessage(), e);
    }
  }

  /** {@code GET /cluster} from the first member that answers. */
  public Optional<JsonNode> cluster() {
    return clusterAt(restEndpoints().values());
  }

  /** The member the cluster names leader, with its server running; empty while there is none. */
  public Optional<String> leader() {
    return leaderAt(restEndpoints());
  }

  /**
   * The leader as the first of these REST APIs that answers names it, confirmed by its own
   * {@code GET /primary} (a crashed leader stays named until its key expires): for a process that
   * does not own the cluster too.
   *
   * @param restEndpoints each member's REST API by name
   */
  public static Optional<String> leaderAt(Map<String, String> restEndpoints) {
    return clusterAt(restEndpoints.values()).flatMap(PatroniCluster::leaderIn)
        .filter(leader -> status(restEndpoints.get(leader) + "/primary") == 200);
  }

  private static int status(String url) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** {@code GET /cluster} from the first of these REST APIs that answers. */
  static Optional<JsonNode> clusterAt(Collection<String> restUrls) {
    for (String url : restUrls) {
      try {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/cluster")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return Optional.of(JSON.readTree(response.body()));
        }
      } catch (IOException e) {
        // the next member may answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Optional<String> leaderIn(JsonNode cluster) {
    for (JsonNode member : cluster.path("members")) {
      if ("leader".equals(member.path("role").asText()) && "running".equals(member.path("state").asText())) {
        return Optional.of(member.path("name").asText());
      }
    }
    return Optional.empty();
  }

  public Connection connect(String member, String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + members.get(member).postgresPort() + "/" + database, SUPERUSER, password);
  }

  /** Waits until {@code member} leads with its server accepting connections. */
  public void awaitLeader(String member) {
    await(member + " leading", () -> member.equals(leader().orElse(null)));
  }

  /** Waits until {@code member} is a replica whose server streams from the leader. */
  public void awaitStreaming(String member) {
    await(member + " streaming", () -> status(members.get(member).restUrl() + "/replica") == 200 && streams(member));
  }

  private boolean streams(String member) {
    try (Connection connection = connect(member, "postgres"); var statement = connection.createStatement();
         var row = statement.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
      row.next();
      return row.getInt(1) == 1;
    } catch (SQLException e) {
      return false;
    }
  }

  private void await(String what, java.util.function.BooleanSupplier condition) {
    try {
      awaitTrue(what, condition);
    } catch (LabException e) {
      throw new LabException(e.getMessage() + "; logs under " + dir, e);
    }
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
    Instant giveUp = Instant.now().plus(READY_WITHIN);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(giveUp)) {
        throw new LabException("not " + what + " within " + READY_WITHIN.toSeconds() + " s");
      }
      sleep(Duration.ofMillis(200));
    }
  }

  /** Maintenance mode on or off ({@code PATCH /config}): paused, Patroni fails over only when asked. */
  public void pause(boolean on) {
    pause(restEndpoints().values(), on);
  }

  /** The same from any process, through the first of these REST APIs that answers; returns once the cluster says so. */
  public static void pause(Collection<String> restUrls, boolean on) {
    String patch = "{\"pause\": " + on + "}";
    for (String url : restUrls) {
      try {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/config")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(patch)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
          throw new LabException("PATCH /config pause=" + on + ": HTTP " + answer.statusCode() + " " + answer.body());
        }
        awaitTrue("paused=" + on, () -> clusterAt(restUrls).map(c -> c.path("pause").asBoolean(false) == on).orElse(false));
        return;
      } catch (IOException e) {
        // the next member may answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted", e);
      }
    }
    throw new LabException("no Patroni member answers");
  }

  /** Each member's REST API by name: what a target's {@code patroni.endpoints} says for the lab. */
  public Map<String, String> restEndpoints() {
    Map<String, String> endpoints = new LinkedHashMap<>();
    members.values().forEach(m -> endpoints.put(m.name(), m.restUrl()));
    return endpoints;
  }

  /**
   * Sets or clears a member's {@code nofailover} tag: its configuration is written again and Patroni
   * reloads it ({@code POST /reload}); returns once {@code GET /cluster} shows the tag.
   */
  public void setNoFailover(String member, boolean on) {
    if (on) {
      noFailover.add(member);
    } else {
      noFailover.remove(member);
    }
    writeConfig(members.get(member));
    reloadTagged(restEndpoints(), member, on);
  }

  /**
   * The same from any process (a test beside the lab's daemon): the tag's line in the member's
   * {@code patroni.yml} under {@code dir} is rewritten in place.
   */
  public static void setNoFailover(Path dir, Map<String, String> restEndpoints, String member, boolean on) {
    Path config = dir.resolve(member).resolve("patroni.yml");
    try {
      Files.writeString(config, Files.readString(config).replaceAll("(?m)^tags: \\{nofailover: (true|false)\\}$",
          "tags: {nofailover: " + on + "}"));
    } catch (IOException e) {
      throw new LabException("cannot rewrite " + config + ": " + e.getMessage(), e);
    }
    reloadTagged(restEndpoints, member, on);
  }

  private static void reloadTagged(Map<String, String> restEndpoints, String member, boolean on) {
    try {
      int status = CLIENT.send(HttpRequest.newBuilder(URI.create(restEndpoints.get(member) + "/reload"))
          .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
      if (status != 202 && status != 200) {
        throw new LabException("patroni " + member + " did not reload: HTTP " + status);
      }
    } catch (IOException e) {
      throw new LabException("patroni " + member + " did not reload: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
    awaitTrue(member + " tagged nofailover=" + on, () -> clusterAt(restEndpoints.values()).map(c -> {
      for (JsonNode m : c.path("members")) {
        if (member.equals(m.path("name").asText())) {
          return m.path("tags").path("nofailover").asBoolean(false) == on;
        }
      }
      return false;
    }).orElse(false));
  }

  /** Starts a member's Patroni (which starts its server, cloning it first when it has no data). */
  public void startMember(String member) {
    Member m = members.get(member);
    Process patroni = PostgresOsUser.startDetached(List.of("/usr/bin/patroni", m.dir().resolve("patroni.yml").toString()),
        m.dir().resolve("patroni.log"));
    processes.put(member, patroni);
    writePid(m.dir().resolve(PID_FILE), patroni);
  }

  /**
   * Crashes a member of the cluster in {@code dir} from any process (the CLI, while the lab's
   * daemon owns the cluster): its Patroni SIGKILLed, then its server stopped at once.
   */
  public static void crash(Path dir, String member) {
    Path memberDir = dir.resolve(member);
    ownProcess(memberDir.resolve(PID_FILE), memberDir.resolve("patroni.yml").toString()).ifPresent(patroni -> {
      patroni.destroyForcibly();
      patroni.onExit().join();
    });
    stopServer(memberDir.resolve("data"));
  }

  /** Stops what a cluster in {@code dir} left running when its owner died without closing it. */
  public static void stopLeftover(Path dir) {
    for (String member : MEMBERS) {
      Path memberDir = dir.resolve(member);
      OwnProcesses.stopLeftover(memberDir.resolve(PID_FILE), args -> args.contains(memberDir.resolve("patroni.yml").toString()),
          Duration.ofSeconds(30));
      if (Files.isDirectory(memberDir.resolve("data"))) {
        stopServer(memberDir.resolve("data"));
      }
    }
    OwnProcesses.stopLeftover(dir.resolve("etcd.pid"), args -> args.contains(dir.resolve("etcd").toString()), Duration.ofSeconds(10));
  }

  private static Optional<ProcessHandle> ownProcess(Path pidFile, String argument) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(p -> p.info().arguments().map(args -> List.of(args).contains(argument)).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void writePid(Path pidFile, Process process) {
    try {
      OwnProcesses.writePid(pidFile, process);
    } catch (IOException e) {
      throw new LabException("cannot write " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Kills a member as a crashed machine would: Patroni and its PostgreSQL server at once (SIGKILL),
   * so its leader key expires only after the TTL.
   */
  public void crashMember(String member) {
    Process patroni = processes.remove(member);
    if (patroni != null) {
      patroni.descendants().forEach(ProcessHandle::destroyForcibly);
      patroni.destroyForcibly();
      patroni.onExit().join();
    }
    stopServerLeftBehind(member);
  }

  /** A member's server that outlived its Patroni is stopped at once; none running is no error. */
  private void stopServerLeftBehind(String member) {
    stopServer(members.get(member).dir().resolve("data"));
  }

  private static void stopServer(Path dataDir) {
    PostgresOsUser.runForResult(List.of(PostgresBinaries.locate().bin("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate",
        "stop"), Map.of(), Duration.ofSeconds(30));
  }

  private void startEtcd() {
    Path data = dir.resolve("etcd");
    String peer = "http://127.0.0.1:" + PostgresPair.freePort();
    String client = "http://127.0.0.1:" + etcdPort;
    Process etcd = PostgresOsUser.startDetached(List.of("/usr/bin/etcd", "--name", "lab", "--data-dir", data.toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "lab=" + peer, "--log-level", "warn"), dir.resolve("etcd.log"));
    processes.put("etcd", etcd);
    writePid(dir.resolve("etcd.pid"), etcd);
    await("etcd answering", () -> {
      try {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  private void writeConfig(Member member) {
    String yaml = """
        scope: %s
        name: %s
        restapi:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
        etcd3:
          hosts: 127.0.0.1:%d
        bootstrap:
          dcs:
            ttl: %d
            loop_wait: %d
            retry_timeout: %d
            maximum_lag_on_failover: 1048576
            postgresql:
              use_pg_rewind: true
              parameters:
                wal_level: replica
                hot_standby: "on"
                wal_log_hints: "on"
                max_wal_senders: 10
                max_replication_slots: 10
          initdb:
          - encoding: UTF8
          - locale: C
        postgresql:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
          data_dir: %s
          bin_dir: %s
          pgpass: %s
          authentication:
            superuser: {username: %s, password: "%s"}
            replication: {username: %s, password: "%s"}
          pg_hba:
          - local all all trust
          - host all all 127.0.0.1/32 scram-sha-256
          - host replication %s 127.0.0.1/32 scram-sha-256
        tags: {nofailover: %s}
        """.formatted(SCOPE, member.name(), member.restPort(), member.restPort(), etcdPort, TTL, LOOP_WAIT, TTL / 2,
        member.postgresPort(), member.postgresPort(), member.dir().resolve("data"), PostgresBinaries.locate().bindir(),
        member.dir().resolve("pgpass"), SUPERUSER, password, REPLICATION_USER, password, REPLICATION_USER,
        noFailover.contains(member.name()));
    Path config = member.dir().resolve("patroni.yml");
    try {
      // readable by its owner only from the start: it holds the passwords
      Files.deleteIfExists(config);
      Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(config, yaml);
    } catch (IOException e) {
      throw new LabException("cannot write " + config + ": " + e.getMessage(), e);
    }
    PostgresOsUser.own(config);
  }

  @Override
  public void close() {
    List<String> names = new ArrayList<>(processes.keySet());
    java.util.Collections.reverse(names); // the nodes before etcd, so each leaves the cluster cleanly
    for (String name : names) {
      Process process = processes.remove(name);
      try {
        if (name.equals("etcd")) {
          OwnProcesses.stop(process.toHandle(), Duration.ofSeconds(10));
        } else {
          // Patroni stops its server on SIGTERM; what is left after the grace is killed with it
          List<ProcessHandle> servers = process.descendants().toList();
          OwnProcesses.stop(process.toHandle(), Duration.ofSeconds(30));
          servers.forEach(ProcessHandle::destroyForcibly);
          stopServerLeftBehind(name);
        }
      } catch (RuntimeException e) {
        // stop the others anyway: a leftover etcd or server would outlive the test run
        System.err.println("pgdr lab: stopping " + name + " failed: " + e.getMessage());
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted", e);
    }
  }
}
