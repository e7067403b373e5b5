package io.pgdr.activities.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgdr.run.RecoveryReport;
import io.pgdr.target.BackupLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The reports of one database in its store: written by the worker at each run's end, read by {@code pgdr history}. */
public final class ReportStore {

  /** The newest runs a history page shows and {@code pgdr history} reads: years of monthly drills and the incidents between. */
  static final int KEPT_IN_VIEW = 200;

  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
      .enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReportStore.class);

  private final S3Client s3;
  private final BackupLocation store;
  private final String database;

  /** @param database {@code <namespace>.<statefulSet>} */
  public ReportStore(S3Client s3, BackupLocation store, String database) {
    this.s3 = s3;
    this.store = store;
    this.database = database;
  }

  /** Writes the run's JSON and Markdown, then the history page from every report kept. @return the JSON's {@code s3://} address */
  public String write(String runId, RecoveryReport report) {
    String base = ReportKeys.base(database, runId, report);
    String jsonAt = "s3://" + store.bucket() + "/" + base + ".json";
    put(base + ".json", json(report), "application/json");
    put(base + ".md", ReportMarkdown.render(report, jsonAt), "text/markdown; charset=utf-8");
    List<HistoryRow> rows = read().stream().map(HistoryRow::of).toList();
    put(ReportKeys.directory(database) + ReportKeys.PAGE, HistoryPage.render(database, rows), "text/html; charset=utf-8");
    return jsonAt;
  }

  /** The reports kept, newest first (at most {@link #KEPT_IN_VIEW}). */
  public List<RecoveryReport> read() {
    List<S3Object> objects = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(store.bucket()).prefix(ReportKeys.directory(database))).contents().forEach(o -> {
      if (o.key().endsWith(".json")) {
        objects.add(o);
      }
    });
    // keys start with the run's end: the newest sort last
    objects.sort(Comparator.comparing(S3Object::key).reversed());
    List<RecoveryReport> reports = new ArrayList<>();
    for (S3Object object : objects.subList(0, Math.min(KEPT_IN_VIEW, objects.size()))) {
      byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(store.bucket()).key(object.key())).asByteArray();
      try {
        reports.add(JSON.readValue(bytes, RecoveryReport.class));
      } catch (IOException e) {
        // one unreadable object must not hide the others, nor stop the next run's report from being kept
        log.warn("skipped {}: not a pgdr report this version reads ({})", object.key(), e.getMessage());
      }
    }
    reports.sort(Comparator.comparing(RecoveryReport::finishedAt, Comparator.nullsLast(Comparator.reverseOrder())));
    return reports;
  }

  private void put(String key, String text, String contentType) {
    s3.putObject(b -> b.bucket(store.bucket()).key(key).contentType(contentType), RequestBody.fromString(text, StandardCharsets.UTF_8));
  }

  static String json(RecoveryReport report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
