package io.pgdr.activities.notification;

import io.pgdr.ports.Escalation;
import io.pgdr.ports.NotificationActivities;
import io.pgdr.target.Notify;
import java.net.http.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every escalation at WARN and posts it to the target's webhook when there is one. A webhook
 * that fails is logged, not thrown: the log line already told the operators, and failing would
 * make the workflow retry (and re-log) or stall a recovery for the sake of a chat message.
 * Safe to retry: a retry only repeats the message.
 */
public final class NotificationActivitiesImpl implements NotificationActivities {

  private static final Logger log = LoggerFactory.getLogger(NotificationActivitiesImpl.class);

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
    try {
      int status = webhook.post(url, escalation);
      if (status / 100 != 2) {
        log.warn("escalation webhook {} answered HTTP {}", url, status);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("escalation webhook {} interrupted", url);
    } catch (Exception e) {
      log.warn("escalation webhook {} failed: {}", url, e.toString());
    }
  }
}
