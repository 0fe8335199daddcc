package dev.gatehouse.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * The {@code X-Forwarded-Client-Cert} value for a verified client certificate, in Envoy's XFCC format, so that apps
 * written for Istio/Envoy read it unchanged: {@code Hash=<sha256 of DER, hex>;Subject="<RFC 2253>";URI=<uri
 * SAN>;DNS=<dns SAN>}, one {@code URI=} and {@code DNS=} pair per SAN.
 *
 * <p>Quoting follows Envoy: {@code Subject} is always a quoted string, other values are quoted when they hold {@code
 * ,}, {@code ;}, {@code =} or {@code "}; inside quotes {@code "} and {@code \} are escaped with a backslash. Characters
 * outside printable ASCII are written as RFC 4514 {@code \HH} escapes of their UTF-8 bytes, so that no certificate, CA
 * signed or not, can put a line break or an unparseable byte into a header.
 *
 * <p>Stateless and thread-safe.
 */
public final class ForwardedClientCert {

  private static final int DNS_SAN = 2;
  private static final int URI_SAN = 6;

  private ForwardedClientCert() {}

  /**
   * Formats the element for one certificate.
   *
   * @param leaf the client's certificate
   * @return the header value
   */
  public static String format(X509Certificate leaf) {
    Objects.requireNonNull(leaf, "leaf");
    StringBuilder out = new StringBuilder(256);
    out.append("Hash=").append(sha256(leaf));
    out.append(";Subject=");
    quoted(out, leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      names = null;
    }
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && name.get(0) instanceof Integer type && type == URI_SAN && name.get(1) instanceof String uri) {
          value(out.append(";URI="), uri);
        }
      }
      for (List<?> name : names) {
        if (name.size() >= 2 && name.get(0) instanceof Integer type && type == DNS_SAN && name.get(1) instanceof String dns) {
          value(out.append(";DNS="), dns);
        }
      }
    }
    return out.toString();
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash a certificate", e);
    }
  }

  private static void value(StringBuilder out, String text) {
    boolean quote = false;
    for (int i = 0; i < text.length() && !quote; i++) {
      char c = text.charAt(i);
      quote = c == ',' || c == ';' || c == '=' || c == '"';
    }
    if (quote) {
      quoted(out, text);
    } else {
      escaped(out, text);
    }
  }

  private static void quoted(StringBuilder out, String text) {
    out.append('"');
    escaped(out, text);
    out.append('"');
  }

  private static void escaped(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < text.length() ? i + 2 : i + 1;
        for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
          out.append('\\').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        i = end - 1;
      }
    }
  }
}
