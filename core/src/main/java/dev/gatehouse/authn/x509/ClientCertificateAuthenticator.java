package dev.gatehouse.authn.x509;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ClientCertificateConfig;
import dev.gatehouse.tls.TrustDomains;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.jspecify.annotations.Nullable;

/**
 * Names the {@linkplain Identity.Kind#PEER peer} by the TLS client certificate the adapter reports in {@link
 * RequestView#clientCertificates()}, which the TLS layer has already validated against the client CAs.
 *
 * <p>The name is the certificate's SPIFFE ID when it has one, else its subject common name. SPIFFE's X.509-SVID rules
 * apply: a certificate with a {@code spiffe:} URI SAN must have exactly one URI SAN, and it must be a valid SPIFFE ID;
 * otherwise the certificate is refused (401) rather than named by its CN, so that a malformed SVID never passes as
 * something else. A certificate with several CNs, a CN that starts with {@code spiffe:} (it would pass for a SPIFFE
 * ID in a {@code principals} rule), or neither SPIFFE ID nor CN is refused too, as is a leaf whose extended key usage
 * excludes {@code clientAuth} or that is outside its validity period (a long-lived connection can outlive its
 * certificate). Whether the name can be a header value is the engine's one boundary to decide, not this class's.
 * SPIFFE IDs of the Istio form {@code /ns/<ns>/sa/<sa>} also give {@link Identity#SPIFFE_NAMESPACE} and {@link
 * Identity#SPIFFE_SERVICE_ACCOUNT}.
 *
 * <p>With {@code trust-domains} configured, a certificate must have a SPIFFE ID, and its chain must lead to a CA of
 * the trust domain that ID names ({@link TrustDomains}): a CA of {@code partner.example} cannot mint {@code
 * spiffe://cluster.local/...}.
 *
 * <p>Design: the identity read from a certificate depends on nothing else (a connection presents the same certificate
 * object, with the same chain, on every request), so results are cached by object identity (weak keys: entries go
 * when the TLS session does). Thread-safe.
 */
final class ClientCertificateAuthenticator implements Authenticator {

  private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
  private static final int URI_SAN = 6;
  private static final long MAXIMUM_CACHED = 10_000;

  private final Clock clock;
  private final @Nullable TrustDomains trustDomains;
  private final Cache<X509Certificate, AuthenticationResult> results =
      Caffeine.newBuilder().weakKeys().maximumSize(MAXIMUM_CACHED).build();

  private ClientCertificateAuthenticator(Clock clock, @Nullable TrustDomains trustDomains) {
    this.clock = clock;
    this.trustDomains = trustDomains;
  }

  /**
   * Creates the authenticator for a configuration.
   *
   * @param config the {@code authentication.client-certificate} section
   * @return the authenticator; close it to stop watching the trust domains' CA bundles
   * @throws dev.gatehouse.config.ConfigException if a trust domain's CA bundle cannot be used
   */
  static ClientCertificateAuthenticator create(ClientCertificateConfig config) {
    return create(config, Clock.systemUTC(), TrustDomains.DEFAULT_RELOAD_INTERVAL);
  }

  /** For tests: an explicit clock for the validity check. */
  static ClientCertificateAuthenticator create(Clock clock) {
    return new ClientCertificateAuthenticator(clock, null);
  }

  /** For tests: an explicit clock and reload interval. */
  static ClientCertificateAuthenticator create(ClientCertificateConfig config, Clock clock, java.time.Duration reloadInterval) {
    Objects.requireNonNull(config, "config");
    TrustDomains domains = config.trustDomains().isEmpty() ? null : TrustDomains.load(config.trustDomains(), reloadInterval);
    return new ClientCertificateAuthenticator(clock, domains);
  }

  @Override
  public String name() {
    return Identity.CLIENT_CERTIFICATE;
  }

  @Override
  public Identity.Kind kind() {
    return Identity.Kind.PEER;
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
    return results.get(leaf, certificate -> identify(chain));
  }

  /** The identity a certificate names, or why it names none. */
  private AuthenticationResult identify(List<X509Certificate> chain) {
    X509Certificate leaf = chain.get(0);
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
      if (trustDomains != null) {
        Optional<String> refusal = trustDomains.refusal(id.trustDomain(), chain, clock.instant());
        if (refusal.isPresent()) {
          return AuthenticationResult.failure("client certificate " + subject(leaf) + " with SPIFFE ID " + id + " " + refusal.get());
        }
      }
      return AuthenticationResult.success(Identity.peer(id.toString()));
    }
    if (trustDomains != null) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has no SPIFFE ID, which trust-domains requires");
    }
    List<String> commonNames = commonNames(leaf);
    if (commonNames.isEmpty()) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has neither a SPIFFE ID nor a subject CN");
    }
    if (commonNames.size() > 1) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has more than one subject CN");
    }
    String name = commonNames.get(0);
    if (name.regionMatches(true, 0, "spiffe:", 0, 7)) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a CN that looks like a SPIFFE ID but no URI SAN");
    }
    if (name.isBlank()) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a blank CN");
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

  @Override
  public void close() {
    if (trustDomains != null) {
      trustDomains.close();
    }
  }
}
