package dev.gatehouse.conformance;

import dev.gatehouse.RequestView;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request head as the conformance tables write it ({@code GET /path?query HTTP/1.1\r\nName: value\r\n...}), seen as
 * the engine sees a request, so that {@code Gatehouse.explain} can be asked about the very rows the deliveries answer.
 */
record HeadView(String method, String path, Optional<String> rawQuery, List<String[]> headerLines, List<X509Certificate> clientCertificates)
    implements RequestView {

  static HeadView parse(String head, List<X509Certificate> clientCertificates) {
    String[] lines = head.split("\r\n");
    String[] requestLine = lines[0].split(" ");
    String target = requestLine[1];
    int question = target.indexOf('?');
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()});
      }
    }
    return new HeadView(
        requestLine[0],
        question < 0 ? target : target.substring(0, question),
        question < 0 ? Optional.empty() : Optional.of(target.substring(question + 1)),
        headers,
        List.copyOf(clientCertificates));
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (String[] header : headerLines) {
      if (header[0].equalsIgnoreCase(name)) {
        values.add(header[1]);
      }
    }
    return values;
  }

  @Override
  public String remoteAddress() {
    return "127.0.0.1";
  }

  @Override
  public int localPort() {
    return 8000;
  }

  @Override
  public boolean secure() {
    return !clientCertificates.isEmpty();
  }
}
