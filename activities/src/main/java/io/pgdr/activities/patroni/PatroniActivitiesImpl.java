package io.pgdr.activities.patroni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.credentials.Credentials;
import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PatroniActivities;
import io.pgdr.ports.PatroniAnswer;
import io.pgdr.ports.PatroniMember;
import io.pgdr.ports.PatroniView;
import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.PatroniAccess;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patroni's REST API over HTTP: {@code GET /cluster}, {@code POST /failover} and
 * {@code POST /switchover}, with Basic auth from the target's Secret when it names one.
 */
public final class PatroniActivitiesImpl implements PatroniActivities {

  private static final Logger log = LoggerFactory.getLogger(PatroniActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT = Duration.ofSeconds(2);
  /** A read answers in milliseconds; the attempt must heartbeat within 10 s even when a member hangs. */
  private static final Duration READ = Duration.ofSeconds(4);
  /** A failover's answer comes once the candidate leads: Patroni waits for it up to its loop and TTL. */
  private static final Duration REQUEST = Duration.ofSeconds(90);
  private static final Duration FOLLOW_EVERY = Duration.ofSeconds(1);
  /** How a heartbeat says the attempt is asking Patroni for a failover or switchover. */
  private static final String ASKING = "asking Patroni: ";
  private static final String NOT_ASKED = "not asked: ";
  /** Patroni's own default for {@code maximum_lag_on_failover}. */
  private static final long DEFAULT_MAXIMUM_LAG = 1_048_576;

  private final CredentialResolver credentials;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT).build();
  private final ActivityHeartbeat heartbeat = new ActivityHeartbeat();

  public PatroniActivitiesImpl(CredentialResolver credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
  }

  @Override
  public PatroniView describePatroni(DatabaseTarget target, List<String> pods) {
    return describe(target, pods, true);
  }

  /**
   * @param heartbeats false just before a request: the heartbeat that says the attempt is asking
   *     must be the attempt's first, which the SDK sends at once (later ones wait their turn)
   */
  private PatroniView describe(DatabaseTarget target, List<String> pods, boolean heartbeats) {
    PatroniAccess access = access(target);
    List<String> errors = new ArrayList<>();
    for (String pod : pods) {
      if (access.urlFor(pod) == null) {
        errors.add(pod + ": no REST URL (not in patroni.endpoints, no patroni.restUrl)");
        continue;
      }
      try {
        HttpResponse<String> response = get(target, access.urlFor(pod) + "/cluster", heartbeats ? "reading " + pod + "'s /cluster" : null);
        if (response.statusCode() == 200) {
          JsonNode cluster = JSON.readTree(response.body());
          return view(pod, cluster, maximumLagOnFailover(target, access.urlFor(pod)), leaderServes(target, cluster),
              lastSwitch(target, access.urlFor(pod)));
        }
        errors.add(pod + ": HTTP " + response.statusCode());
      } catch (IOException e) {
        errors.add(pod + ": " + e.getMessage());
      }
    }
    return new PatroniView(null, false, List.of(), null, false, "no member's REST API answered (" + String.join("; ", errors) + ")",
        null);
  }

  /**
   * Whether the member holding the leader key says, on its own REST API, that its server runs as
   * the primary ({@code GET /primary} answers 200). {@code /cluster} cannot tell: it shows a crashed
   * leader as running until its key expires.
   */
  private boolean leaderServes(DatabaseTarget target, JsonNode cluster) {
    for (JsonNode member : cluster.path("members")) {
      String url = "leader".equals(member.path("role").asText()) ? access(target).urlFor(member.path("name").asText()) : null;
      if (url != null) {
        try {
          return get(target, url + "/primary", null).statusCode() == 200;
        } catch (IOException unreachable) {
          return false;
        }
      }
    }
    return false;
  }

  @Override
  public PatroniView awaitMember(DatabaseTarget target, List<String> pods, String member, String role, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      PatroniView view = describePatroni(target, pods);
      boolean there = LEADER.equals(role) ? view.leads(member) : view.follows(member);
      boolean cannotRejoin = REPLICA.equals(role) && view.answeredBy() != null && view.member(member).isEmpty();
      if (there || cannotRejoin || System.nanoTime() > deadline) {
        return view;
      }
      heartbeat.accept(member + ": " + view.member(member).map(m -> m.role() + " " + m.state()).orElse("not in the cluster")
          + "; " + view.describeLeader());
      sleep(FOLLOW_EVERY);
    }
  }

  @Override
  public PatroniAnswer requestFailover(DatabaseTarget target, List<String> pods, String candidate, String leader) {
    String path = leader == null ? "/failover" : "/switchover";
    String asking = ASKING + path + " to " + candidate;
    boolean askedBefore = earlierAttemptAsked();
    if (askedBefore) {
      heartbeat.accept(asking); // kept for a later attempt too: this attempt's heartbeats replace the earlier one's
    }
    PatroniView before = describe(target, pods, false);
    if (before.leads(candidate)) {
      // an earlier attempt's request went through (or the cluster moved there on its own): never ask twice
      return new PatroniAnswer(PatroniAnswer.ALREADY, 0, candidate + " leads already");
    }
    if (before.answeredBy() == null) {
      throw ApplicationFailure.newFailure("Patroni's REST API does not answer: " + before.error(), FailureTypes.SERVER_UNREACHABLE);
    }
    if (askedBefore) {
      // an earlier attempt's worker was lost after it said it was asking: the handover may be under way (no
      // leader for a moment), and asking again could start a second one or be refused. Follow instead.
      return new PatroniAnswer(PatroniAnswer.UNKNOWN, 0, "asked by an earlier attempt; " + before.describeLeader());
    }
    String leaderBefore = before.leader().map(PatroniMember::name).orElse(null);
    // recorded with Temporal before the request leaves (this attempt's first heartbeat, sent at once):
    // a retry after a lost worker then knows the request may have been made
    heartbeat.accept(asking);
    ObjectNode body = JSON.createObjectNode().put("candidate", candidate);
    if (leader != null) {
      body.put("leader", leader);
    }
    // any member takes the request to the DCS: the one that just answered is up
    String askedPod = before.answeredBy();
    HttpResponse<String> response;
    try {
      response = send(target, HttpRequest.newBuilder(URI.create(access(target).urlFor(askedPod) + path))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())), REQUEST, asking);
    } catch (ConnectException e) {
      heartbeat.accept(NOT_ASKED + e.getMessage()); // the request never left: the retry asks
      throw ApplicationFailure.newFailure("asking " + askedPod + " for " + path + ": " + e.getMessage(), FailureTypes.SERVER_UNREACHABLE);
    } catch (IOException e) {
      // the answer is lost, maybe not the request: the retry follows the cluster rather than ask again
      throw ApplicationFailure.newFailure("asking " + askedPod + " for " + path + ": " + e.getMessage(), FailureTypes.SERVER_UNREACHABLE);
    }
    String said = response.body() == null ? "" : response.body().strip();
    log.info("Patroni {} {} to {}: HTTP {} {}", askedPod, path, candidate, response.statusCode(), said);
    switch (response.statusCode()) {
      case 200, 503 -> {
        // 200 may say "switched over to X instead of Y", 503 "failed" or "status unknown": who leads now is the answer
        PatroniView after = describePatroni(target, pods);
        if (after.leads(candidate)) {
          return new PatroniAnswer(PatroniAnswer.ACCEPTED, response.statusCode(), said);
        }
        Optional<String> other = after.leader().map(PatroniMember::name).filter(m -> !m.equals(leaderBefore));
        if (other.isPresent()) {
          return new PatroniAnswer(PatroniAnswer.OTHER, response.statusCode(), said + "; " + other.get() + " leads");
        }
        if (response.statusCode() == 503 && said.toLowerCase(java.util.Locale.ROOT).contains("failed") && leaderBefore != null
            && after.leads(leaderBefore)) {
          throw ApplicationFailure.newNonRetryableFailure("Patroni gave up the " + path.substring(1) + " to " + candidate + " (HTTP 503): "
              + said + "; " + leaderBefore + " still leads", FailureTypes.PATRONI_REFUSED);
        }
        return new PatroniAnswer(PatroniAnswer.UNKNOWN, response.statusCode(), said + "; " + after.describeLeader());
      }
      case 400, 412 -> throw ApplicationFailure.newNonRetryableFailure("Patroni refused " + path + " to " + candidate + " (HTTP "
          + response.statusCode() + "): " + said, FailureTypes.PATRONI_REFUSED);
      case 401, 403 -> throw ApplicationFailure.newNonRetryableFailure("Patroni's REST API refused pgdr's credentials (HTTP "
          + response.statusCode() + "): set patroni.credentials to the Secret holding restapi.authentication",
          FailureTypes.CREDENTIALS_REFUSED);
      default -> throw ApplicationFailure.newFailure("Patroni answered " + path + " with HTTP " + response.statusCode() + ": " + said,
          FailureTypes.SERVER_UNREACHABLE);
    }
  }

  /** Patroni's {@code maximum_lag_on_failover} from {@code GET /config}: its default (1 MiB) when unset, null when unreadable. */
  private Long maximumLagOnFailover(DatabaseTarget target, String url) {
    try {
      HttpResponse<String> response = get(target, url + "/config", null);
      if (response.statusCode() != 200) {
        return null;
      }
      JsonNode limit = JSON.readTree(response.body()).path("maximum_lag_on_failover");
      return limit.isNumber() ? limit.asLong() : DEFAULT_MAXIMUM_LAG;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether an earlier attempt of this activity recorded that it was asking Patroni; false outside an activity. */
  private static boolean earlierAttemptAsked() {
    try {
      ActivityExecutionContext context = Activity.getExecutionContext();
      return context.getInfo().getAttempt() > 1
          && context.getHeartbeatDetails(String.class).map(details -> details.startsWith(ASKING)).orElse(false);
    } catch (IllegalStateException notInActivity) {
      return false;
    }
  }

  private static PatroniAccess access(DatabaseTarget target) {
    if (target.patroni() == null) {
      throw ApplicationFailure.newNonRetryableFailure("the target does not say how to reach Patroni (patroni.restUrl or endpoints)",
          FailureTypes.TARGET_REFUSED);
    }
    return target.patroni();
  }

  private HttpResponse<String> get(DatabaseTarget target, String url, String doing) throws IOException {
    return send(target, HttpRequest.newBuilder(URI.create(url)).GET(), READ, doing);
  }

  /** @param doing what the heartbeats say while the answer is awaited; null: no heartbeat */
  private HttpResponse<String> send(DatabaseTarget target, HttpRequest.Builder request, Duration timeout, String doing) throws IOException {
    if (target.patroni().credentials() != null) {
      Credentials basic = resolve(target);
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (basic.user() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8)));
    }
    // asynchronously, heartbeating while Patroni takes its time (a failover answers once the candidate leads)
    CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    try {
      while (true) {
        try {
          return answer.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
          if (doing != null) {
            heartbeat.accept(doing);
          }
        }
      }
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted asking Patroni", FailureTypes.INTERRUPTED);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
    } catch (RuntimeException e) {
      answer.cancel(true); // cancelled activity: stop waiting for the answer
      throw e;
    }
  }

  private Credentials resolve(DatabaseTarget target) {
    try {
      return credentials.resolve(target.patroni().credentials(), target.namespace());
    } catch (CredentialsUnavailableException e) {
      throw ApplicationFailure.newNonRetryableFailure("Patroni's REST credentials: " + e.getMessage(), FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted following Patroni", FailureTypes.INTERRUPTED);
    }
  }

  /**
   * The last entry of {@code GET /history} (Patroni's timeline switches: timeline, LSN, reason, and
   * since 2.0 the time and the new leader); null when there is none or it cannot be read.
   */
  private String lastSwitch(DatabaseTarget target, String url) {
    try {
      HttpResponse<String> response = get(target, url + "/history", null);
      JsonNode history = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
      if (history == null || !history.isArray() || history.isEmpty()) {
        return null;
      }
      JsonNode last = history.get(history.size() - 1);
      int from = last.path(0).asInt();
      return "timeline " + from + " -> " + (from + 1) + " at " + last.path(1).asText() + (last.path(3).isTextual() ? " on "
          + last.path(3).asText() : "") + (last.path(4).isTextual() ? ", new leader " + last.path(4).asText() : "")
          + (last.path(2).asText("").isBlank() ? "" : " (" + last.path(2).asText().strip() + ")");
    } catch (IOException e) {
      return null;
    }
  }

  static PatroniView view(String answeredBy, JsonNode cluster, Long maximumLagOnFailover, boolean leaderServes, String lastSwitch) {
    List<PatroniMember> members = new ArrayList<>();
    for (JsonNode m : cluster.path("members")) {
      JsonNode lag = m.path("lag");
      JsonNode tags = m.path("tags");
      members.add(new PatroniMember(m.path("name").asText(), m.path("role").asText(), m.path("state").asText(), m.path("host").asText(null),
          m.path("port").asInt(), m.path("timeline").asInt(), lag.isNumber() ? lag.asLong() : null, tags.path("nofailover").asBoolean(false),
          tags.path("noloadbalance").asBoolean(false), m.path("pending_restart").asBoolean(false)));
    }
    return new PatroniView(answeredBy, cluster.path("pause").asBoolean(false), members, maximumLagOnFailover, leaderServes, null,
        lastSwitch);
  }
}
