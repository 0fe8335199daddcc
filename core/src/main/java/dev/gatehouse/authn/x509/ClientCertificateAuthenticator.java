package dev.gatehouse.authn.x509;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ClientCertificateConfig;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Names the caller by the TLS client certificate the adapter reports in {@link RequestView#clientCertificates()},
 * which the TLS layer has already validated against the client CAs.
 *
 * <p>The name is the certificate's SPIFFE ID when it has one, else its subject common name. SPIFFE's X.509-SVID rules
 * apply: a certificate with a {@code spiffe:} URI SAN must have exactly one URI SAN, and it must be a valid SPIFFE ID;
 * otherwise the certificate is refused (401) rather than named by its CN, so that a malformed SVID never passes as
 * something else. A certificate with several CNs, a CN with control characters, characters beyond ISO-8859-1 or surrounding whitespace, or neither SPIFFE ID nor CN is refused
 * too, as is a leaf whose extended key usage excludes {@code clientAuth} or that is outside its validity period (a
 * long-lived connection can outlive its certificate). SPIFFE IDs of the Istio form {@code /ns/<ns>/sa/<sa>} also give
 * {@link Identity#SPIFFE_NAMESPACE} and {@link Identity#SPIFFE_SERVICE_ACCOUNT}.
 *
 * <p>Design: the identity read from a certificate depends on nothing else, and a connection presents the same
 * certificate object on every request, so results are cached by object identity (weak keys: entries go when the TLS
 * session does). Thread-safe.
 */
public final class ClientCertificateAuthenticator implements Authenticator {

  private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
  private static final int URI_SAN = 6;
  private static final long MAXIMUM_CACHED = 10_000;

  private final Clock clock;
  private final Cache<X509Certificate, AuthenticationResult> results =
      Caffeine.newBuilder().weakKeys().maximumSize(MAXIMUM_CACHED).build();

  private ClientCertificateAuthenticator(Clock clock) {
    this.clock = clock;
  }

  /**
   * Creates the authenticator for a configuration.
   *
   * @param config the {@code authentication.client-certificate} section
   * @return the authenticator
   */
  public static ClientCertificateAuthenticator create(ClientCertificateConfig config) {
    Objects.requireNonNull(config, "config");
    return new ClientCertificateAuthenticator(Clock.systemUTC());
  }

  /** For tests: an explicit clock for the validity check. */
  static ClientCertificateAuthenticator create(Clock clock) {
    return new ClientCertificateAuthenticator(clock);
  }

  @Override
  public AuthenticationResult authenticate(RequestView request) {
    List<X509Certificate> chain = request.clientCertificates();
    if (chain.isEmpty()) {
      return AuthenticationResult.none();
    }
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity(Date.from(clock.instant()));
    } catch (CertificateExpiredException e) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " is not valid before " + leaf.getNotBefore().toInstant());
    }
    return results.get(leaf, ClientCertificateAuthenticator::identify);
  }

  /** The identity a certificate names, or why it names none. */
  static AuthenticationResult identify(X509Certificate leaf) {
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH_EKU)) {
        return AuthenticationResult.failure("client certificate " + subject(leaf) + " has an extended key usage without clientAuth");
      }
    } catch (CertificateParsingException e) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has an unreadable extended key usage");
    }
    List<String> uris;
    try {
      uris = uriSans(leaf);
    } catch (CertificateParsingException e) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has unreadable subject alternative names");
    }
    boolean spiffe = uris.stream().anyMatch(uri -> uri.regionMatches(true, 0, "spiffe:", 0, 7));
    if (spiffe) {
      if (uris.size() != 1) {
        return AuthenticationResult.failure(
            "client certificate " + subject(leaf) + " has " + uris.size() + " URI SANs; a SPIFFE certificate must have exactly one");
      }
      SpiffeId id;
      try {
        id = SpiffeId.parse(uris.get(0));
      } catch (IllegalArgumentException e) {
        return AuthenticationResult.failure("client certificate " + subject(leaf) + " has an invalid SPIFFE ID: " + e.getMessage());
      }
      Map<String, Object> attributes = new HashMap<>();
      attributes.put(Identity.SPIFFE_ID, id.toString());
      attributes.put(Identity.SPIFFE_TRUST_DOMAIN, id.trustDomain());
      id.namespace().ifPresent(namespace -> attributes.put(Identity.SPIFFE_NAMESPACE, namespace));
      id.serviceAccount().ifPresent(account -> attributes.put(Identity.SPIFFE_SERVICE_ACCOUNT, account));
      return AuthenticationResult.success(new Identity(id.toString(), Identity.CLIENT_CERTIFICATE, Set.of(), attributes));
    }
    List<String> commonNames = commonNames(leaf);
    if (commonNames.isEmpty()) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has neither a SPIFFE ID nor a subject CN");
    }
    if (commonNames.size() > 1) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has more than one subject CN");
    }
    String name = commonNames.get(0);
    if (name.isBlank() || !printable(name)) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a blank CN or one with control characters or characters beyond ISO-8859-1");
    }
    // HTTP drops whitespace around a field value: X-Forwarded-User "admin " would reach the upstream as "admin".
    if (!name.equals(name.strip())) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a CN with leading or trailing whitespace");
    }
    return AuthenticationResult.success(Identity.of(name, Identity.CLIENT_CERTIFICATE));
  }

  private static List<String> uriSans(X509Certificate leaf) throws CertificateParsingException {
    Collection<List<?>> names = leaf.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    List<String> uris = new ArrayList<>(1);
    for (List<?> name : names) {
      if (name.size() >= 2 && name.get(0) instanceof Integer type && type == URI_SAN && name.get(1) instanceof String uri) {
        uris.add(uri);
      }
    }
    return uris;
  }

  private static List<String> commonNames(X509Certificate leaf) {
    X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
    List<String> names = new ArrayList<>(1);
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
        if (value.getType().equals(BCStyle.CN)) {
          ASN1Encodable encodable = value.getValue();
          names.add(encodable instanceof ASN1String text ? text.getString() : encodable.toString());
        }
      }
    }
    return names;
  }

  /**
   * Identity names become header values: no control characters, which could split or forge a header line, and nothing
   * beyond ISO-8859-1, which a header cannot carry (Jetty writes it as a space: "admin\u0100" would arrive as admin).
   */
  private static boolean printable(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  private static String subject(X509Certificate leaf) {
    String subject = leaf.getSubjectX500Principal().getName();
    StringBuilder out = new StringBuilder(Math.min(subject.length(), 128) + 2).append('\'');
    for (int i = 0; i < subject.length() && i < 128; i++) {
      char c = subject.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.append('\'').toString();
  }

  @Override
  public Optional<String> challenge() {
    // No HTTP challenge can ask for a certificate; that happens in the TLS handshake.
    return Optional.empty();
  }
}
