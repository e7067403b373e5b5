package io.pgdr.activities.notification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.pgdr.ports.Escalation;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.Notify;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Escalations reach the webhook as JSON; a webhook that does not take one fails the call (the
 * workflow records it in the run), naming no part of the URL, whose path and query hold tokens.
 */
class NotificationActivitiesImplTest {

  static final Escalation ESCALATION = new Escalation("recovery-fabrica", "fabrica", "ReplicaPromotion",
      "approval for 'promote' unanswered for 15 minutes", Instant.parse("2025-01-10T03:20:00Z"));

  HttpServer webhook;
  BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
  NotificationActivitiesImpl notifications = new NotificationActivitiesImpl();

  @BeforeEach
  void startWebhook() throws IOException {
    webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext("/hook", exchange -> {
      received.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
          + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    webhook.start();
  }

  @AfterEach
  void stopWebhook() {
    webhook.stop(0);
  }

  @Test
  void theEscalationIsPostedAsJson() throws Exception {
    notifications.escalate(new Notify("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"), ESCALATION);

    String request = received.poll(5, TimeUnit.SECONDS);
    assertTrue(request.startsWith("application/json "), request);
    JsonNode body = new ObjectMapper().readTree(request.substring("application/json ".length()));
    assertEquals("recovery-fabrica", body.get("workflowId").asText());
    assertEquals("ReplicaPromotion", body.get("scenario").asText());
    assertEquals("2025-01-10T03:20:00Z", body.get("at").asText());
  }

  @Test
  void aWebhookAnsweringAServerErrorFailsTheCallRetryably() {
    webhook.createContext("/broken", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> notifications.escalate(
        new Notify("http://127.0.0.1:" + webhook.getAddress().getPort() + "/broken?token=s3cr3t"), ESCALATION));

    assertEquals(FailureTypes.ESCALATION_NOT_DELIVERED, failure.getType());
    assertEquals("HTTP 500", failure.getOriginalMessage());
    assertFalse(failure.isNonRetryable());
  }

  @Test
  void aWebhookRefusingTheRequestIsNotRetried() {
    webhook.createContext("/gone", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> notifications.escalate(
        new Notify("http://127.0.0.1:" + webhook.getAddress().getPort() + "/gone"), ESCALATION));

    assertEquals("HTTP 404", failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
  }

  @Test
  void anUnreachableWebhookFailsTheCallNamingNoUrl() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> notifications.escalate(
        new Notify("http://127.0.0.1:" + closedPort + "/hook?token=s3cr3t"), ESCALATION));

    assertEquals(FailureTypes.ESCALATION_NOT_DELIVERED, failure.getType());
    assertEquals("connection refused", failure.getOriginalMessage());
    assertFalse(failure.isNonRetryable());
  }

  @Test
  void withoutWebhookItOnlyLogs() {
    notifications.escalate(Notify.NONE, ESCALATION);

    assertEquals(0, received.size());
  }
}
