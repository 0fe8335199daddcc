package dev.gatehouse.tls;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.internal.ReloadingFile;
import dev.gatehouse.internal.FileWatch;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CAs of each SPIFFE trust domain ({@code authentication.client-certificate.trust-domains}), and the check that a
 * client certificate chains to the CAs of the trust domain its SPIFFE ID names, not merely to some trusted CA.
 *
 * <p>The TLS layer trusts every domain's CAs together, so that the handshake succeeds; without this check any of
 * those CAs could mint an identity in any trust domain (Envoy's SPIFFE validator forbids exactly that). The check
 * builds a PKIX path again with the JDK's {@link CertPathBuilder}, from the leaf through the certificates the client
 * presented, to the named domain's anchors only: signatures, validity, basic constraints, key usage and name
 * constraints are the JDK's business, not ours. Revocation is left to the TLS layer ({@code tls.crl}).
 *
 * <p>Design: the bundles are read once by {@link #load}, which refuses a bad one naming its key; a daemon thread then
 * polls their stamps ({@link ReloadingFile}) every {@link #DEFAULT_RELOAD_INTERVAL} and, when one changes, reads all of them again
 * and switches to the new anchors only if every bundle is good (a bad file keeps the last good anchors and is logged).
 * The anchors sit behind one volatile field; each check reads it once. Thread-safe; {@link #close()} stops the polling.
 */
public final class TrustDomains implements AutoCloseable {

  /** How often the bundles are checked for changes; as {@link ServerTls#DEFAULT_RELOAD_INTERVAL}. */
  public static final Duration DEFAULT_RELOAD_INTERVAL = ServerTls.DEFAULT_RELOAD_INTERVAL;

  private static final String KEY = "authentication.client-certificate.trust-domains";
  private static final Logger log = LoggerFactory.getLogger(TrustDomains.class);

  private final Map<String, Path> bundles;
  private final ReloadingFile<Map<String, Set<TrustAnchor>>> anchors;
  private final @Nullable ScheduledExecutorService reloader;

  private TrustDomains(Map<String, Path> bundles, Map<String, Set<TrustAnchor>> initial, Duration reloadInterval) {
    this.bundles = bundles;
    this.anchors =
        ReloadingFile.watching(
            "CA bundles of trust domains " + new java.util.TreeSet<>(bundles.keySet()),
            List.copyOf(bundles.values()),
            () -> read(bundles),
            loaded -> loaded.size() + " trust domains",
            initial);
    this.reloader = reloadInterval.isZero() ? null : FileWatch.poll("gatehouse-trust-domains-reload", reloadInterval, anchors::reloadIfChanged);
  }

  /**
   * Reads every trust domain's CA bundle and starts watching them.
   *
   * @param bundles trust domain (such as {@code cluster.local}) to the PEM file of its CAs; at least one
   * @param reloadInterval how often to look for changed files; {@link Duration#ZERO} never reloads
   * @return the trust domains; close them to stop watching
   * @throws ConfigException naming {@code authentication.client-certificate.trust-domains.<domain>} if a bundle cannot
   *     be read or holds no certificate
   */
  public static TrustDomains load(Map<String, Path> bundles, Duration reloadInterval) {
    Objects.requireNonNull(bundles, "bundles");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (bundles.isEmpty()) {
      throw new ConfigException(KEY, "give at least one trust domain and its CA bundle");
    }
    Map<String, Path> copy = Map.copyOf(bundles);
    Map<String, Set<TrustAnchor>> loaded;
    try {
      loaded = read(copy);
    } catch (BundleException e) {
      throw new ConfigException(KEY + "." + e.domain, e.problem, e);
    }
    return new TrustDomains(copy, loaded, reloadInterval);
  }

  /**
   * Every CA of every domain, for a TLS layer that must trust them all (the sidecar without {@code tls.client-ca}).
   *
   * @param bundles the CA bundle files
   * @return the certificates, in the order given
   * @throws IllegalArgumentException if a file cannot be read, holds no certificate or holds one that is not a CA
   */
  static List<X509Certificate> union(List<Path> bundles) {
    List<X509Certificate> all = new ArrayList<>();
    for (Path bundle : bundles) {
      all.addAll(authorities(bundle));
    }
    return List.copyOf(all);
  }

  /**
   * The certificates of a CA bundle, each of which must be a CA ({@link ClientCertificates#notAnAuthority}).
   *
   * @throws IllegalArgumentException naming the file and the first certificate that is not a CA
   */
  static List<X509Certificate> authorities(Path bundle) {
    List<X509Certificate> certificates = PemFiles.certificates(bundle);
    for (X509Certificate certificate : certificates) {
      Optional<String> problem = ClientCertificates.notAnAuthority(certificate);
      if (problem.isPresent()) {
        throw new IllegalArgumentException(bundle + ": " + problem.get() + ", which cannot be trusted to sign client certificates");
      }
    }
    return certificates;
  }

  /**
   * Whether a verified client chain leads to one of the named trust domain's CAs.
   *
   * @param trustDomain the trust domain the leaf's SPIFFE ID names
   * @param chain the chain as the TLS layer verified it, leaf first
   * @param at the time to check validity at
   * @return empty if it does; otherwise why not, for logs
   */
  public Optional<String> refusal(String trustDomain, List<X509Certificate> chain, Instant at) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(chain, "chain");
    Set<TrustAnchor> domainAnchors = anchors.get().get(trustDomain);
    if (domainAnchors == null) {
      return Optional.of("trust domain " + trustDomain + " is not one of " + new java.util.TreeSet<>(bundles.keySet()));
    }
    if (chain.isEmpty()) {
      return Optional.of("no certificate");
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(chain.get(0));
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(domainAnchors, target);
      parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(at));
      CertPathBuilder.getInstance("PKIX").build(parameters);
      return Optional.empty();
    } catch (CertPathBuilderException e) {
      return Optional.of("does not chain to a CA of trust domain " + trustDomain + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      return Optional.of("cannot check the chain against trust domain " + trustDomain + ": " + e.getMessage());
    }
  }

  /** Reads every bundle; a {@link BundleException} (an {@link IllegalArgumentException}) names the domain that failed. */
  private static Map<String, Set<TrustAnchor>> read(Map<String, Path> bundles) {
    Map<String, Set<TrustAnchor>> anchors = new LinkedHashMap<>();
    for (Map.Entry<String, Path> bundle : bundles.entrySet()) {
      try {
        Set<TrustAnchor> domain = new HashSet<>();
        for (X509Certificate certificate : authorities(bundle.getValue())) {
          domain.add(new TrustAnchor(certificate, null));
        }
        anchors.put(bundle.getKey(), Set.copyOf(domain));
      } catch (IllegalArgumentException e) {
        throw new BundleException(bundle.getKey(), e.getMessage(), e);
      }
    }
    return Map.copyOf(anchors);
  }

  /** Stops watching the files. Idempotent. */
  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }

  /** A bundle that cannot be used, with the domain it belongs to so that the message can name the key. */
  private static final class BundleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final String domain;
    final String problem;

    BundleException(String domain, String problem, Throwable cause) {
      super("trust domain " + domain + ": " + problem, cause);
      this.domain = domain;
      this.problem = problem;
    }
  }
}
