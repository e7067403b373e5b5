package io.pgdr.activities.notification;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgdr.ports.Escalation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** POSTs an escalation as JSON ({@code at} as ISO-8601) to a chat or paging webhook. */
final class EscalationWebhook {

  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final HttpClient http;

  EscalationWebhook(HttpClient http) {
    this.http = http;
  }

  static HttpClient defaultClient() {
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  static String body(Escalation escalation) {
    try {
      return JSON.writeValueAsString(escalation);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write escalation as JSON", e);
    }
  }

  /** @return the HTTP status */
  int post(String url, Escalation escalation) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(escalation)))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
