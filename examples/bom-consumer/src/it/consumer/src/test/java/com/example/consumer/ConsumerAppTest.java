package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/** The application started as it runs, on a random port, and called over HTTP with and without credentials. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsumerAppTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Value("${local.server.port}")
  int port;

  @Test
  void withoutCredentialsGatehouseChallenges() throws Exception {
    HttpResponse<String> response = get(null);
    assertEquals(401, response.statusCode());
    assertEquals("Basic realm=\"Consumer\", charset=\"UTF-8\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
  }

  @Test
  void withCredentialsTheControllerAnswers() throws Exception {
    String basic = Base64.getEncoder().encodeToString("consumer:consumer-secret".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response = get("Basic " + basic);
    assertEquals(200, response.statusCode());
    assertEquals("Hello, consumer!", response.body());
  }

  @Test
  void wrongPasswordIsRefused() throws Exception {
    String basic = Base64.getEncoder().encodeToString("consumer:wrong".getBytes(StandardCharsets.UTF_8));
    assertEquals(401, get("Basic " + basic).statusCode());
  }

  private HttpResponse<String> get(String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
