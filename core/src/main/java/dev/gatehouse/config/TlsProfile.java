package dev.gatehouse.config;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A named set of TLS protocol versions and cipher suites, following Mozilla's server-side TLS guidance (version 5.7).
 *
 * <p>{@link #MODERN} offers TLS 1.3 only. {@link #INTERMEDIATE} adds TLS 1.2 with forward-secret (ECDHE) AEAD suites
 * only; Mozilla's DHE suites are left out, as every client that can do TLS 1.2 with AEAD can do ECDHE. Neither profile
 * ever offers TLS 1.0/1.1, RC4, CBC-mode suites or static RSA key exchange, and explicit overrides ({@link
 * #checkProtocols}, {@link #checkCipherSuites}) are held to the same floor: the security team may narrow or reorder,
 * never weaken.
 *
 * <p>Thread-safe (an enum).
 */
public enum TlsProfile {

  /** TLS 1.3 only: for clients from 2019 on (Java 11+, Go 1.13+, OpenSSL 1.1.1+, current browsers). */
  MODERN(List.of("TLSv1.3"), List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")),

  /** TLS 1.2 and 1.3, forward-secret AEAD suites only: the general-purpose default. */
  INTERMEDIATE(
      List.of("TLSv1.3", "TLSv1.2"),
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));

  /** The profile used when none is configured. */
  public static final TlsProfile DEFAULT = INTERMEDIATE;

  private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** TLS 1.3 suites are all AEAD with ephemeral key exchange; their names carry no key exchange. */
  private static final Pattern TLS13_SUITE = Pattern.compile("TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305|AES_128_CCM)_SHA(256|384)");

  /** TLS 1.2: ephemeral (EC)DH key exchange, AEAD cipher. Excludes static RSA/ECDH, CBC, RC4, 3DES, NULL, anon. */
  private static final Pattern TLS12_SUITE =
      Pattern.compile("TLS_(ECDHE|DHE)_(ECDSA|RSA)_WITH_(AES_(128|256)_(GCM|CCM)|CHACHA20_POLY1305)_SHA(256|384)?");

  private final List<String> protocols;
  private final List<String> cipherSuites;

  TlsProfile(List<String> protocols, List<String> cipherSuites) {
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
  }

  /**
   * The profile's protocol versions, JDK names, most preferred first.
   *
   * @return for example {@code [TLSv1.3]}
   */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * The profile's cipher suites that this JDK supports, IANA names, most preferred first.
   *
   * @return the suites
   */
  public List<String> cipherSuites() {
    Set<String> supported = supported().cipherSuites;
    return cipherSuites.stream().filter(supported::contains).toList();
  }

  /**
   * Parses a profile name as written in configuration.
   *
   * @param name {@code modern} or {@code intermediate}, case-insensitive
   * @return the profile
   * @throws IllegalArgumentException for any other name
   */
  public static TlsProfile parse(String name) {
    Objects.requireNonNull(name, "name");
    for (TlsProfile profile : values()) {
      if (profile.name().equalsIgnoreCase(name.strip())) {
        return profile;
      }
    }
    throw new IllegalArgumentException("expected modern or intermediate, found " + name);
  }

  /**
   * The configuration name of this profile.
   *
   * @return {@code modern} or {@code intermediate}
   */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Checks an explicit protocol list: only TLS 1.2 and 1.3, each supported by this JDK, no duplicates.
   *
   * @param protocols JDK protocol names, such as {@code TLSv1.3}
   * @return the list, unchanged
   * @throws IllegalArgumentException naming the first unacceptable protocol
   */
  public static List<String> checkProtocols(List<String> protocols) {
    Set<String> supported = supported().protocols;
    for (String protocol : protocols) {
      if (!ALLOWED_PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException(
            protocol + " is not allowed; only TLSv1.2 and TLSv1.3 (TLS 1.0/1.1 and SSL are never offered)");
      }
      if (!supported.contains(protocol)) {
        throw new IllegalArgumentException(protocol + " is not supported by this JVM");
      }
    }
    if (Set.copyOf(protocols).size() != protocols.size()) {
      throw new IllegalArgumentException("lists a protocol twice");
    }
    return List.copyOf(protocols);
  }

  /**
   * Checks an explicit cipher suite list against the protocols it will be used with: every suite forward-secret and
   * AEAD, supported by this JDK, and each protocol left with at least one suite it can use.
   *
   * @param cipherSuites IANA suite names, such as {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
   * @param protocols the checked protocols
   * @return the list, unchanged
   * @throws IllegalArgumentException naming the first unacceptable suite or the protocol left without one
   */
  public static List<String> checkCipherSuites(List<String> cipherSuites, List<String> protocols) {
    Set<String> supported = supported().cipherSuites;
    boolean tls13 = false;
    boolean tls12 = false;
    for (String suite : cipherSuites) {
      boolean is13 = TLS13_SUITE.matcher(suite).matches();
      boolean is12 = TLS12_SUITE.matcher(suite).matches();
      if (!is13 && !is12) {
        throw new IllegalArgumentException(
            suite + " is not allowed; only forward-secret AEAD suites (no CBC, RC4, 3DES, NULL or static RSA key exchange)");
      }
      if (!supported.contains(suite)) {
        throw new IllegalArgumentException(suite + " is not supported by this JVM");
      }
      tls13 |= is13;
      tls12 |= is12;
    }
    if (Set.copyOf(cipherSuites).size() != cipherSuites.size()) {
      throw new IllegalArgumentException("lists a cipher suite twice");
    }
    if (protocols.contains("TLSv1.3") && !tls13) {
      throw new IllegalArgumentException("has no TLS 1.3 suite (TLS_AES_128_GCM_SHA256, ...) although TLSv1.3 is enabled");
    }
    if (protocols.contains("TLSv1.2") && !tls12) {
      throw new IllegalArgumentException("has no TLS 1.2 suite (TLS_ECDHE_..._GCM_...) although TLSv1.2 is enabled");
    }
    return List.copyOf(cipherSuites);
  }

  private record Supported(Set<String> protocols, Set<String> cipherSuites) {}

  private static volatile Supported supported;

  private static Supported supported() {
    Supported current = supported;
    if (current == null) {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLParameters parameters = context.getSupportedSSLParameters();
        current = new Supported(Set.copyOf(Arrays.asList(parameters.getProtocols())), Set.copyOf(new ArrayList<>(Arrays.asList(parameters.getCipherSuites()))));
      } catch (NoSuchAlgorithmException | java.security.KeyManagementException e) {
        throw new IllegalStateException("this JVM has no TLS implementation", e);
      }
      supported = current;
    }
    return current;
  }
}
