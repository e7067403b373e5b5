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
  private static final Duration READ = Duration.ofSeconds(10);
  /** A failover's answer comes once the candidate leads: Patroni waits for it up to its loop and TTL. */
  private static final Duration REQUEST = Duration.ofSeconds(90);
  private static final Duration FOLLOW_EVERY = Duration.ofSeconds(1);
  /** How a heartbeat says the attempt is asking Patroni for a failover or switchover. */
  private static final String ASKING = "asking Patroni: ";
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
    PatroniAccess access = access(target);
    List<String> errors = new ArrayList<>();
    for (String pod : pods) {
      if (access.urlFor(pod) == null) {
        errors.add(pod + ": no REST URL (not in patroni.endpoints, no patroni.restUrl)");
        continue;
      }
      try {
        HttpResponse<String> response = send(target, HttpRequest.newBuilder(URI.create(access.urlFor(pod) + "/cluster")).GET(), READ, "reading " + pod + "'s /cluster");
        if (response.statusCode() == 200) {
          return view(pod, JSON.readTree(response.body()), maximumLagOnFailover(target, access.urlFor(pod)));
        }
        errors.add(pod + ": HTTP " + response.statusCode());
      } catch (IOException e) {
        errors.add(pod + ": " + e.getMessage());
      }
    }
    return new PatroniView(null, false, List.of(), null, "no member's REST API answered (" + String.join("; ", errors) + ")");
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
    PatroniView before = describePatroni(target, pods);
    if (leads(before, candidate)) {
      // an earlier attempt's request went through (or the cluster moved there on its own): never ask twice
      return new PatroniAnswer(PatroniAnswer.ALREADY, 0, candidate + " leads already");
    }
    if (before.answeredBy() == null) {
      throw ApplicationFailure.newFailure("Patroni's REST API does not answer: " + before.error(), FailureTypes.SERVER_UNREACHABLE);
    }
    String path = leader == null ? "/failover" : "/switchover";
    if (earlierAttemptAsked()) {
      // an earlier attempt's worker was lost after it said it was asking: the handover may be under way (no
      // leader for a moment), and asking again could start a second one or be refused. Follow instead.
      return new PatroniAnswer(PatroniAnswer.UNKNOWN, 0, "asked by an earlier attempt; " + describeLeader(before));
    }
    // recorded with Temporal before the request leaves (an attempt's first heartbeat is sent at once):
    // a retry after a lost worker then knows the request may have been made
    String asking = ASKING + path + " to " + candidate;
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
    } catch (IOException e) {
      // the answer is lost, maybe not the request: the retry follows the cluster rather than ask again
      throw ApplicationFailure.newFailure("asking " + askedPod + " for " + path + ": " + e.getMessage(), FailureTypes.SERVER_UNREACHABLE);
    }
    String said = response.body() == null ? "" : response.body().strip();
    log.info("Patroni {} {} to {}: HTTP {} {}", askedPod, path, candidate, response.statusCode(), said);
    switch (response.statusCode()) {
      case 200, 503 -> {
        // 200 may say "switched over to X instead of Y", 503 covers "status unknown" and failures that changed nothing:
        // who leads now is the answer
        PatroniView after = describePatroni(target, pods);
        return leads(after, candidate) ? new PatroniAnswer(PatroniAnswer.ACCEPTED, response.statusCode(), said)
            : new PatroniAnswer(PatroniAnswer.UNKNOWN, response.statusCode(), said + "; " + describeLeader(after));
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

  private static boolean leads(PatroniView view, String member) {
    return view.leads(member);
  }

  private static String describeLeader(PatroniView view) {
    return view.describeLeader();
  }

  /** Patroni's {@code maximum_lag_on_failover} from {@code GET /config}: its default (1 MiB) when unset, null when unreadable. */
  private Long maximumLagOnFailover(DatabaseTarget target, String url) {
    try {
      HttpResponse<String> response = send(target, HttpRequest.newBuilder(URI.create(url + "/config")).GET(), READ, "reading /config");
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

  /** @param doing what the heartbeats say while the answer is awaited */
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
          heartbeat.accept(doing);
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

  static PatroniView view(String answeredBy, JsonNode cluster, Long maximumLagOnFailover) {
    List<PatroniMember> members = new ArrayList<>();
    for (JsonNode m : cluster.path("members")) {
      JsonNode lag = m.path("lag");
      JsonNode tags = m.path("tags");
      members.add(new PatroniMember(m.path("name").asText(), m.path("role").asText(), m.path("state").asText(), m.path("host").asText(null),
          m.path("port").asInt(), m.path("timeline").asInt(), lag.isNumber() ? lag.asLong() : null, tags.path("nofailover").asBoolean(false),
          tags.path("noloadbalance").asBoolean(false), m.path("pending_restart").asBoolean(false)));
    }
    return new PatroniView(answeredBy, cluster.path("pause").asBoolean(false), members, maximumLagOnFailover, null);
  }
}
