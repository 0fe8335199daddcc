package dev.gatehouse.authn.x509;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.ClientCertificateConfig;
import dev.gatehouse.tls.ClientCertificates;
import dev.gatehouse.tls.TrustDomains;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
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
 * <p>The name is the certificate's SPIFFE ID when it has one, else (when common names are allowed) {@code cn:} and its
 * subject common name, so that the two kinds can never be taken for each other. The URI SANs are read from the
 * extension's bytes ({@link SpiffeId#fromCertificate}), not through the JDK, which drops a SAN it cannot parse: any URI SAN that is not
 * a valid printable-ASCII URI refuses the certificate. SPIFFE's X.509-SVID rules apply: a certificate with a {@code
 * spiffe:} URI SAN must have exactly one URI SAN, and it must be a valid SPIFFE ID naming a workload (a path);
 * otherwise the certificate is refused (401) rather than named by its CN, so that a malformed SVID never passes as
 * something else. A certificate with several CNs, a CN holding {@code spiffe:} (it would pass for a SPIFFE ID in a
 * {@code principals} rule), or neither SPIFFE ID nor CN is refused too, as is one that {@link ClientCertificates}
 * refuses (a CA as the client, a chain whose usage excludes {@code clientAuth}) or a leaf outside its validity period
 * (a long-lived connection can outlive its certificate), and a CN with {@code /} or surrounding whitespace. Whether the
 * name can be a header value is the engine's one boundary to decide, not this class's. SPIFFE IDs of the Istio form {@code /ns/<ns>/sa/<sa>} also give {@link Identity#SPIFFE_NAMESPACE} and {@link
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

  private static final long MAXIMUM_CACHED = 10_000;

  private final Clock clock;
  private final @Nullable TrustDomains trustDomains;
  private final boolean commonNames;
  private final Cache<X509Certificate, AuthenticationResult> results =
      Caffeine.newBuilder().weakKeys().maximumSize(MAXIMUM_CACHED).build();

  private ClientCertificateAuthenticator(Clock clock, @Nullable TrustDomains trustDomains, boolean commonNames) {
    this.clock = clock;
    this.trustDomains = trustDomains;
    this.commonNames = commonNames;
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
    return new ClientCertificateAuthenticator(clock, null, true);
  }

  /** For tests: an explicit clock and reload interval. */
  static ClientCertificateAuthenticator create(ClientCertificateConfig config, Clock clock, java.time.Duration reloadInterval) {
    Objects.requireNonNull(config, "config");
    TrustDomains domains = config.trustDomains().isEmpty() ? null : TrustDomains.load(config.trustDomains(), reloadInterval);
    return new ClientCertificateAuthenticator(clock, domains, config.commonNames());
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
    Optional<String> misuse = ClientCertificates.refusal(chain);
    if (misuse.isPresent()) {
      return AuthenticationResult.failure(misuse.get());
    }
    Optional<SpiffeId> spiffe;
    try {
      spiffe = SpiffeId.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " " + e.getMessage() + "; refused, not named by its CN");
    }
    if (spiffe.isPresent()) {
      SpiffeId id = spiffe.get();
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
    if (!commonNames) {
      return AuthenticationResult.failure(
          "client certificate " + subject(leaf) + " has no SPIFFE ID, and common names are not allowed (authentication.client-certificate.allow-common-names)");
    }
    List<String> commonNames = commonNames(leaf);
    if (commonNames.isEmpty()) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has neither a SPIFFE ID nor a subject CN");
    }
    if (commonNames.size() > 1) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has more than one subject CN");
    }
    String name = commonNames.get(0);
    if (name.toLowerCase(java.util.Locale.ROOT).contains("spiffe:")) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a CN that looks like a SPIFFE ID but no URI SAN");
    }
    // "cn:x/ns/ops/sa/admin" would match a principals pattern "*/ns/ops/sa/admin" written for SPIFFE IDs.
    if (name.indexOf('/') >= 0) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a CN with '/', the shape of a SPIFFE path");
    }
    if (name.isBlank()) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a blank CN");
    }
    // Inside "cn:<name>" the engine's boundary would no longer see leading whitespace, which HTTP drops upstream.
    if (!name.strip().equals(name)) {
      return AuthenticationResult.failure("client certificate " + subject(leaf) + " has a CN with leading or trailing whitespace");
    }
    return AuthenticationResult.success(Identity.peer(Identity.COMMON_NAME_PREFIX + name));
  }

  /** Whether a URI SAN means to be a SPIFFE ID, however it spells the scheme; such a SAN must then be a valid one. */
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
    return ClientCertificates.subject(leaf);
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
