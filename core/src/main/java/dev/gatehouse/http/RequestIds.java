package dev.gatehouse.http;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@value #HEADER} of a request: which client values are kept, and how a new one is made.
 *
 * <p>A client's id is kept when it is 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._:-]}: enough for
 * UUIDs, ULIDs, Envoy's and AWS's ids, and nothing that could break a log line, a header or a JSON field. Anything
 * else is replaced, never repaired, so what a log says is what the application saw.
 *
 * <p>A new id is a per-process random prefix and a counter, {@code 3f9c0a1b2e4d5f60-000000000000002a}: unique within
 * the process and across processes with overwhelming probability, and made without {@code SecureRandom} or a lock on
 * the request path (a {@code UUID.randomUUID()} per request contends on the JDK's shared {@code SecureRandom}).
 */
public final class RequestIds {

  /** The header that carries the id, to the application and back to the client. */
  public static final String HEADER = "X-Request-Id";

  /** The longest client id kept. */
  public static final int MAX_LENGTH = 128;

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String PREFIX = hex(ThreadLocalRandom.current().nextLong() ^ System.nanoTime(), new StringBuilder(33)).append('-').toString();
  private static final AtomicLong COUNTER = new AtomicLong();

  private RequestIds() {}

  /**
   * Whether a client's value is kept as the request's id.
   *
   * @param value the header's value
   * @return true for 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._:-]}
   */
  public static boolean isValid(String value) {
    int length = value.length();
    if (length == 0 || length > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The client's id when it is valid, otherwise a new one.
   *
   * @param clientValue the first {@value #HEADER} the client sent, if any
   * @return the request's id
   */
  public static String keepOrCreate(Optional<String> clientValue) {
    return clientValue.isPresent() && isValid(clientValue.get()) ? clientValue.get() : create();
  }

  /**
   * A new id.
   *
   * @return 33 characters: 16 hex digits of this process's prefix, a dash, 16 of a counter
   */
  public static String create() {
    return hex(COUNTER.incrementAndGet(), new StringBuilder(33).append(PREFIX)).toString();
  }

  private static StringBuilder hex(long value, StringBuilder out) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.append(HEX[(int) (value >>> shift) & 0xf]);
    }
    return out;
  }
}
