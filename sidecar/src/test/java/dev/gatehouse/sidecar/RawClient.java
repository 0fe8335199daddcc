package dev.gatehouse.sidecar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw bytes to a server and everything it answers until it closes: what a hostile client sees, byte for byte. */
final class RawClient {

  /** What came back, and whether the server closed the connection before the read timed out. */
  record Answer(String text, boolean closed, long millis) {
    int status() {
      if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    /** The status of every response in the answer, in order (pipelined or kept-alive requests). */
    java.util.List<Integer> statuses() {
      java.util.List<Integer> statuses = new java.util.ArrayList<>();
      for (int at = text.indexOf("HTTP/1.1 "); at >= 0; at = text.indexOf("HTTP/1.1 ", at + 1)) {
        statuses.add(Integer.parseInt(text.substring(at + 9, at + 12)));
      }
      return statuses;
    }
  }

  private RawClient() {}

  /** Sends {@code request} at once and reads until the server closes, or {@code timeoutMillis} pass in silence. */
  static Answer send(int port, String request, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(timeoutMillis);
      long start = System.nanoTime();
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readToEnd(socket, start);
    }
  }

  static Answer readToEnd(Socket socket, long start) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    boolean closed;
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        bytes.write(buffer, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (java.net.SocketException e) {
      // A reset after the answer: the server closed, just not gracefully.
      closed = true;
    }
    return new Answer(bytes.toString(StandardCharsets.ISO_8859_1), closed, (System.nanoTime() - start) / 1_000_000);
  }
}
