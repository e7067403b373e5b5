package io.pgdr.activities.restore;

import io.pgdr.activities.backup.BackupTaker;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Fixture;
import io.pgdr.lab.PostgresBinaries;
import io.pgdr.lab.PostgresPair;
import io.pgdr.lab.RequiredComponent;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;
import io.pgdr.target.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What the backup and restore tests share, started once for the whole test run (a PostgreSQL pair
 * and an S3Mock process cost seconds each): a real server holding a small shop database with the
 * shapes a restore must get right, a real S3-compatible store, and ways to compare databases by
 * content. Tests take it as a parameter with {@code @ExtendWith(RestoreLab.Shared.class)}.
 */
public final class RestoreLab {

  public static final String PASSWORD_ENV = "PGDR_TEST_PASSWORD";
  /** The database the tests back up. */
  public static final String SHOP = "shop";

  private final Path dir;
  private final PostgresPair pair;
  private final S3Fixture s3;
  private final AtomicInteger names = new AtomicInteger();

  private RestoreLab(Path dir, PostgresPair pair, S3Fixture s3) {
    this.dir = dir;
    this.pair = pair;
    this.s3 = s3;
  }

  /** Hands tests the one lab of the test run, started on first use and closed when the run ends. */
  public static final class Shared implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == RestoreLab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(RestoreLab.class, key -> new Closing(start()), Closing.class).lab();
    }
  }

  private record Closing(RestoreLab lab) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      lab.s3.close();
      lab.pair.close();
      try (Stream<Path> paths = Files.walk(lab.dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is harmless
      }
    }
  }

  private static RestoreLab start() {
    RequiredComponent.require("PostgreSQL server programs", PostgresBinaries.present(),
        "install PostgreSQL server programs: apt-get install postgresql");
    try {
      Path dir = Files.createTempDirectory("pgdr-restore-test-");
      S3Fixture s3 = S3Fixture.start(dir.resolve("s3"));
      PostgresPair pair;
      try {
        pair = PostgresPair.create(dir.resolve("pair"), progress -> { });
      } catch (RuntimeException e) {
        s3.close(); // its server would outlive the test run
        throw e;
      }
      RestoreLab lab = new RestoreLab(dir, pair, s3);
      lab.createShop();
      return lab;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot start the restore lab: " + e.getMessage(), e);
    }
  }

  /**
   * The shop: a foreign key, a mixed-case table with a generated column, a partitioned table
   * referenced by a foreign key, an inheritance child whose columns pg_dump recreates in another
   * order, a column type without binary I/O (aclitem), an empty table, a sequence in use, a large
   * object, a materialized view, a trigger.
   */
  private void createShop() throws SQLException {
    try (Connection postgres = pair.primary().connect("postgres"); Statement statement = postgres.createStatement()) {
      statement.execute("CREATE DATABASE " + SHOP);
    }
    try (Connection shop = pair.primary().connect(SHOP); Statement statement = shop.createStatement()) {
      statement.execute("""
          CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
          CREATE TABLE books (id bigserial PRIMARY KEY, author_id int NOT NULL REFERENCES authors (id),
                              title text NOT NULL, published date, price numeric(8,2), tags jsonb);
          CREATE INDEX books_author ON books (author_id, published);
          CREATE TABLE "Ledger" ("EntryId" int PRIMARY KEY, "Amount" numeric NOT NULL,
                                 "Doubled" numeric GENERATED ALWAYS AS ("Amount" * 2) STORED, note text);
          CREATE TABLE events (id int NOT NULL, at timestamptz NOT NULL, kind text) PARTITION BY RANGE (id);
          CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (500);
          CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (500) TO (1000);
          CREATE INDEX events_kind ON events (kind);
          ALTER TABLE events ADD PRIMARY KEY (id);
          CREATE TABLE event_notes (id int PRIMARY KEY, event_id int NOT NULL REFERENCES events (id), note text);
          CREATE TABLE acl_history (id int PRIMARY KEY, grants aclitem[] NOT NULL);
          CREATE TABLE audit (a int, b text);
          CREATE TABLE audit_2026 (c text) INHERITS (audit);
          ALTER TABLE audit ADD COLUMN d int;
          CREATE TABLE empty_table (id int PRIMARY KEY, v text);
          CREATE MATERIALIZED VIEW books_per_author AS SELECT author_id, count(*) AS books FROM books GROUP BY author_id;
          CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END $$;
          CREATE TRIGGER ledger_touch BEFORE INSERT ON "Ledger" FOR EACH ROW EXECUTE FUNCTION touch();
          """);
      statement.execute("""
          INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, 200) g;
          INSERT INTO books (author_id, title, published, price, tags)
            SELECT 1 + g % 200, 'title ' || g || repeat('x', g % 50), date '2000-01-01' + g, (g % 1000) / 10.0,
                   jsonb_build_object('g', g, 'even', g % 2 = 0)
            FROM generate_series(1, 3000) g;
          INSERT INTO "Ledger" ("EntryId", "Amount", note) SELECT g, g * 1.5, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END
            FROM generate_series(1, 2000) g;
          INSERT INTO events SELECT g, timestamptz '2026-01-01' + g * interval '1 minute', 'kind ' || g % 7 FROM generate_series(0, 999) g;
          INSERT INTO audit SELECT g, 'b' || g, g FROM generate_series(1, 100) g;
          INSERT INTO event_notes SELECT g, g * 3, 'note ' || g FROM generate_series(1, 300) g;
          INSERT INTO acl_history SELECT g, ARRAY[makeaclitem('postgres'::regrole, 'postgres'::regrole, 'SELECT', g % 2 = 0)]
            FROM generate_series(1, 50) g;
          INSERT INTO audit_2026 (a, b, c, d) SELECT g, 'b' || g, 'c' || g, -g FROM generate_series(1, 300) g;
          SELECT nextval('authors_id_seq') FROM generate_series(1, 5);
          SELECT lo_from_bytea(0, 'a large object');
          REFRESH MATERIALIZED VIEW books_per_author;
          ANALYZE;
          """);
    }
  }

  public PostgresPair pair() {
    return pair;
  }

  public S3Fixture s3() {
    return s3;
  }

  public Path dir() {
    return dir;
  }

  /** A name no other test uses, with the given start. */
  public String unique(String start) {
    return start + "_" + names.incrementAndGet();
  }

  public BackupLocation freshLocation() {
    return s3.freshLocation();
  }

  public CredentialResolver credentials() {
    return CredentialResolver.fromEnvironment(Map.of(PASSWORD_ENV, pair.password())::get);
  }

  /** The primary as activities see it, with {@code database} as the live one. */
  public PostgresServer server(String database) {
    return new PostgresServer(pair.primary().name(), pair.primary().host(), pair.primary().port(), database, "fabrica-agentes",
        SecretRef.environment(pair.superuser(), PASSWORD_ENV));
  }

  /** Backs the shop up with parts of 4 heap blocks, so its bigger tables are split. */
  public BackupTaker taker() {
    return new BackupTaker(credentials(), s3.clients(), ClientPrograms.locate(), 2, 4 * 8192);
  }

  /** The restore activities as the worker builds them, but with the given tuning. */
  RestoreActivitiesImpl activities(RestoreTuning tuning) {
    return new RestoreActivitiesImpl(credentials(), s3.clients(), ClientPrograms.locate(), tuning);
  }

  /** Two sessions, no heartbeat, no hook. */
  RestoreActivitiesImpl activities() {
    return activities(tuning(progress -> { }, key -> { }));
  }

  /**
   * Two sessions; tables of up to 4 parts load whole, bigger ones (books, in {@link #taker()}'s
   * 4-block parts) part by part, so every test sees both ways of loading.
   */
  static RestoreTuning tuning(Consumer<Object> heartbeat, RestoreTuning.BeforeCommit beforeCommit) {
    return new RestoreTuning(2, heartbeat, 4, beforeCommit);
  }

  public Connection connect(String database) throws SQLException {
    return pair.primary().connect(database);
  }

  /** Every table's rows as one digest each (rows as jsonb: independent of column order). */
  public Map<String, String> contents(String database) throws SQLException {
    Map<String, String> digests = new TreeMap<>();
    try (Connection session = connect(database); Statement statement = session.createStatement()) {
      List<String[]> tables = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery("""
          SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'""")) {
        while (rows.next()) {
          tables.add(new String[] {rows.getString(1), rows.getString(2)});
        }
      }
      for (String[] table : tables) {
        try (ResultSet row = statement.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(to_jsonb(t)::text, '|'"
            + " ORDER BY to_jsonb(t)::text)), '') FROM ONLY " + table[1] + " t")) {
          row.next();
          digests.put(table[0], row.getString(1));
        }
      }
    }
    return digests;
  }

  /** Index, constraint, trigger definitions and sequence positions, as text to compare. */
  public List<String> schemaFacts(String database) throws SQLException {
    List<String> facts = new ArrayList<>();
    try (Connection session = connect(database); Statement statement = session.createStatement()) {
      for (String query : List.of(
          "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
          "SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
              + " WHERE connamespace = 'public'::regnamespace ORDER BY 1",
          "SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
          "SELECT 'sequence ' || sequencename || ' ' || last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
          "SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata",
          // anything pgdr could leave behind (a schema, a table) shows here
          "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
          "SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
              + " WHERE n.nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1")) {
        try (ResultSet rows = statement.executeQuery(query)) {
          while (rows.next()) {
            facts.add(rows.getString(1));
          }
        }
      }
    }
    return facts;
  }

  public long count(String database, String sql) throws SQLException {
    try (Connection session = connect(database); Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  public boolean databaseExists(String name) throws SQLException {
    try (Connection session = connect("postgres"); var query = session.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, name);
      try (ResultSet row = query.executeQuery()) {
        return row.next();
      }
    }
  }
}
