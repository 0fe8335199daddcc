package dev.gatehouse.authn.x509;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * The URI subject alternative names of a certificate, read from the extension's bytes with Bouncy Castle.
 *
 * <p>Why not {@link X509Certificate#getSubjectAlternativeNames()}: the JDK parses a non-critical extension leniently,
 * and a SAN it cannot parse as a URI (a space, a control character, NUL, CR/LF, a trailing dot in the host) makes
 * the whole extension "unparseable" and silently gone: the certificate then seems to have no SPIFFE ID, would be named
 * by its CN, and escapes the CA's URI name constraints, which the JDK checks only on names it could read. Here every
 * URI SAN is read, and one that is not printable ASCII or not a valid URI (RFC 3986, as {@link URI} parses it) refuses
 * the certificate instead of disappearing.
 */
final class UriSans {

  private UriSans() {}

  /**
   * Every URI SAN, in order.
   *
   * @throws IllegalArgumentException if the extension cannot be decoded, or a URI SAN is not a printable-ASCII URI
   */
  static List<String> of(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    if (extension == null) {
      return List.of();
    }
    GeneralNames names;
    try {
      names = GeneralNames.getInstance(ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(extension).getOctets()));
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("has a subject alternative name extension that cannot be decoded");
    }
    List<String> uris = new ArrayList<>(1);
    for (GeneralName name : names.getNames()) {
      if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
        uris.add(checked(name));
      }
    }
    return uris;
  }

  private static String checked(GeneralName name) {
    byte[] bytes;
    try {
      bytes = ASN1IA5String.getInstance(name.getName()).getOctets();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("has a URI SAN that is not an IA5String");
    }
    for (byte b : bytes) {
      if (b <= 0x20 || b >= 0x7f) {
        throw new IllegalArgumentException("has a URI SAN with a space, control character or non-ASCII byte (0x" + String.format("%02x", b & 0xff) + ")");
      }
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    try {
      URI uri = new URI(text);
      if (!uri.isAbsolute()) {
        throw new IllegalArgumentException("has a URI SAN without a scheme");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("has a URI SAN that is not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
    }
    return text;
  }
}
