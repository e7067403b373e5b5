package io.pgdr.activities.notification;

import io.pgdr.ports.Escalation;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.target.Notify;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every escalation at WARN and posts it to the target's webhook when there is one. A webhook
 * that fails (no answer, or not a 2xx) fails the call, so the workflow retries it and then records
 * in the run that the escalation was not delivered. Messages name the webhook's host only: its
 * path and query often hold a token. Safe to retry: a retry only repeats the message.
 */
public final class NotificationActivitiesImpl implements NotificationActivities {

  /** The webhook did not take the escalation; 4xx other than 429 will not pass with a retry. */

  private static final Logger log = LoggerFactory.getLogger(NotificationActivitiesImpl.class);
  private static final int TOO_MANY_REQUESTS = 429;

  private final EscalationWebhook webhook;

  public NotificationActivitiesImpl() {
    this(EscalationWebhook.defaultClient());
  }

  public NotificationActivitiesImpl(HttpClient http) {
    this.webhook = new EscalationWebhook(http);
  }

  @Override
  public void escalate(Notify notify, Escalation escalation) {
    log.warn("ESCALATION {} ({} on {}): {}", escalation.workflowId(), escalation.scenario(),
        escalation.database(), escalation.reason());
    String url = notify == null ? null : notify.webhookUrl();
    if (url == null || url.isBlank()) {
      return;
    }
    String host = notify.webhookHost();
    int status;
    try {
      status = webhook.post(url, escalation);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", FailureTypes.ESCALATION_NOT_DELIVERED);
    } catch (IOException | IllegalArgumentException e) {
      // the exception's text may carry the URL, and a webhook's URL often holds its token
      log.warn("escalation webhook at {} failed: {}", host, noAnswer(e));
      throw ApplicationFailure.newFailure(noAnswer(e), FailureTypes.ESCALATION_NOT_DELIVERED);
    }
    if (status / 100 != 2) {
      log.warn("escalation webhook at {} answered HTTP {}", host, status);
      String message = "HTTP " + status;
      throw status / 100 == 4 && status != TOO_MANY_REQUESTS
          ? ApplicationFailure.newNonRetryableFailure(message, FailureTypes.ESCALATION_NOT_DELIVERED)
          : ApplicationFailure.newFailure(message, FailureTypes.ESCALATION_NOT_DELIVERED);
    }
  }

  // the exception's own message may carry the URL (a bad URI, some connect errors): name the kind only
  private static String noAnswer(Exception e) {
    return e instanceof HttpTimeoutException ? "no answer within " + EscalationWebhook.TIMEOUT.toSeconds() + " s"
        : e instanceof ConnectException ? "connection refused"
        : e instanceof IllegalArgumentException ? "not a valid URL"
        : e.getClass().getSimpleName();
  }
}
