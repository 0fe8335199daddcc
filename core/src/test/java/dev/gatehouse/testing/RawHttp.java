package dev.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP/1.1 written byte by byte, for requests the JDK client refuses to send (a chosen {@code Host}, {@code Connection}
 * headers, odd names, huge headers). Every request ends with {@code Connection: close}, so the response is whatever
 * arrives until the server closes.
 */
public final class RawHttp {

  /**
   * A parsed response: status, the head as text, and the body.
   *
   * @param status the status code
   * @param head the status line and headers
   * @param body everything after the blank line
   */
  public record Response(int status, String head, String body) {}

  private RawHttp() {}

  public static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends a request head (request line and headers, each ending in CRLF, without the blank line) with {@code Connection:
   * close} added, and reads the response.
   */
  public static Response exchange(int port, String head) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(15_000);
      socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      in.transferTo(bytes);
      String text = bytes.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.1 ") || end < 0) {
        throw new IOException("not an HTTP/1.1 response: " + text);
      }
      return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }
  }
}
