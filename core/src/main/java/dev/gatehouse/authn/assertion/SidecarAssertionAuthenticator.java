package dev.gatehouse.authn.assertion;

import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.config.SidecarAssertionConfig;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.internal.LogText;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The application's end of the sidecar's assertion: every request must carry one valid {@code X-Gatehouse-Assertion},
 * or it is a 401 whatever else it carries, on every path.
 *
 * <p>Per request, in order: exactly one header, at most {@value #MAX_ASSERTION_LENGTH} characters, a compact JWS of
 * {@code typ} {@value AssertionClaims#TYPE} without {@code crit}; a configured key for its {@code kid} whose one
 * algorithm is the header's {@code alg}; a valid signature; {@code iss} and {@code aud} exactly; {@code iat} and {@code
 * exp} within the clock skew of now, {@code exp - iat} positive and at most the maximum lifetime; {@code htm} exactly
 * the request's method and {@code htu} exactly its path and query as the container received them (the path the
 * container dispatches on, checked against the canonical path by the engine), so an assertion captured from one
 * request cannot authorise another; and last a {@code jti} never accepted before ({@link ReplayCache}).
 *
 * <p>What it establishes is what the sidecar established, through {@link AuthenticationResult#vouched}: {@code sub} is
 * the request principal with the method {@code amr} names first, unless that is {@code client_certificate}, when
 * {@code sub} is the peer; {@code peer} is the peer, with the SPIFFE attributes {@link Identity#peer} derives from its
 * name. A valid assertion without {@code sub} is an anonymous request some rule of the sidecar let through. JWT claims
 * do not travel: rules on {@code claims.*} belong in the sidecar.
 *
 * <p>Thread-safe.
 */
final class SidecarAssertionAuthenticator implements Authenticator {

  /** Longer than any assertion the sidecar writes (a few hundred bytes plus the identities), short enough to parse. */
  static final int MAX_ASSERTION_LENGTH = 8192;

  private final List<AssertionKeys.VerificationKey> keys;
  private final String issuer;
  private final String audience;
  private final long skewMillis;
  private final long maxLifetimeMillis;
  private final Clock clock;
  private final ReplayCache replays;

  SidecarAssertionAuthenticator(
      SidecarAssertionConfig config, List<AssertionKeys.VerificationKey> keys, Clock clock, Ticker ticker, long replayCacheSize) {
    this.keys = List.copyOf(keys);
    this.issuer = config.issuer();
    this.audience = config.audience();
    this.skewMillis = config.clockSkew().toMillis();
    this.maxLifetimeMillis = config.maxLifetime().toMillis();
    this.clock = clock;
    this.replays = new ReplayCache(replayCacheSize, config.clockSkew(), clock, ticker);
  }

  @Override
  public AuthenticationResult authenticate(RequestView request) {
    List<String> values = request.headers(IdentityHeaders.ASSERTION);
    if (values.isEmpty()) {
      return AuthenticationResult.failure("no " + IdentityHeaders.ASSERTION + ": the request did not come through the sidecar");
    }
    if (values.size() > 1) {
      return AuthenticationResult.failure("more than one " + IdentityHeaders.ASSERTION);
    }
    String token = values.get(0);
    if (token.length() > MAX_ASSERTION_LENGTH) {
      return AuthenticationResult.failure("assertion longer than " + MAX_ASSERTION_LENGTH + " characters");
    }
    JWSObject jws;
    try {
      jws = JWSObject.parse(token);
    } catch (ParseException e) {
      return AuthenticationResult.failure("malformed assertion");
    }
    JWSHeader header = jws.getHeader();
    if (header.getType() == null || !AssertionClaims.TYPE.equals(header.getType().getType())) {
      return AuthenticationResult.failure("assertion typ is " + quoted(header.getType() == null ? null : header.getType().getType()) + ", expected " + AssertionClaims.TYPE);
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return AuthenticationResult.failure("assertion has crit header parameters, which none is understood");
    }
    String kid = header.getKeyID();
    AssertionKeys.VerificationKey key = key(kid, header);
    if (key == null) {
      return AuthenticationResult.failure("no verification key for kid " + quoted(kid) + " and alg " + header.getAlgorithm());
    }
    try {
      if (!jws.verify(key.verifier())) {
        return AuthenticationResult.failure("assertion signature does not verify (kid " + quoted(kid) + ")");
      }
    } catch (JOSEException | IllegalStateException e) {
      return AuthenticationResult.failure("assertion signature cannot be checked (kid " + quoted(kid) + ")");
    }
    Map<String, Object> claims = jws.getPayload().toJSONObject();
    if (claims == null) {
      return AuthenticationResult.failure("assertion payload is not a JSON object");
    }
    return check(claims, request);
  }

  /** The claims of a signature that verified: the sidecar wrote them, so a wrong one is a wrong sidecar or a replay. */
  private AuthenticationResult check(Map<String, Object> claims, RequestView request) {
    String jti = string(claims, AssertionClaims.ID);
    if (jti == null || jti.length() < 16 || jti.length() > 64) {
      return AuthenticationResult.failure("assertion without a jti of 16 to 64 characters");
    }
    String iss = string(claims, AssertionClaims.ISSUER);
    if (!issuer.equals(iss)) {
      return AuthenticationResult.failure("assertion " + jti + " iss is " + quoted(iss) + ", expected " + issuer);
    }
    if (!audience.equals(string(claims, AssertionClaims.AUDIENCE))) {
      return AuthenticationResult.failure("assertion " + jti + " aud is not " + audience);
    }
    Long iat = seconds(claims, AssertionClaims.ISSUED_AT);
    Long exp = seconds(claims, AssertionClaims.EXPIRES);
    if (iat == null || exp == null) {
      return AuthenticationResult.failure("assertion " + jti + " without numeric iat and exp");
    }
    long now = clock.millis();
    long issuedAt = iat * 1000;
    long expiresAt = exp * 1000;
    if (expiresAt <= issuedAt || expiresAt - issuedAt > maxLifetimeMillis) {
      return AuthenticationResult.failure("assertion " + jti + " lifetime " + (exp - iat) + " s is not within (0, " + maxLifetimeMillis / 1000 + " s]");
    }
    if (issuedAt > now + skewMillis) {
      return AuthenticationResult.failure("assertion " + jti + " issued in the future (iat " + iat + ")");
    }
    if (now >= expiresAt + skewMillis) {
      return AuthenticationResult.failure("assertion " + jti + " expired (exp " + exp + ")");
    }
    String method = string(claims, AssertionClaims.HTTP_METHOD);
    if (!request.method().equals(method)) {
      return AuthenticationResult.failure("assertion " + jti + " is for method " + quoted(method) + ", not " + LogText.quote(request.method()));
    }
    String target = request.rawQuery().map(query -> request.path() + "?" + query).orElse(request.path());
    String htu = string(claims, AssertionClaims.HTTP_TARGET);
    if (!target.equals(htu)) {
      return AuthenticationResult.failure("assertion " + jti + " is for " + quoted(htu) + ", not " + LogText.quote(target));
    }
    Identities identities;
    try {
      identities = identities(claims);
    } catch (IllegalArgumentException e) {
      return AuthenticationResult.failure("assertion " + jti + ": " + e.getMessage());
    }
    // Last, so that an assertion refused above (sent to the wrong path first, say) is still good for its own request.
    if (!replays.firstUse(jti, expiresAt)) {
      return AuthenticationResult.failure("assertion " + jti + " was used before (replay)");
    }
    return AuthenticationResult.vouched(identities);
  }

  private static Identities identities(Map<String, Object> claims) {
    String sub = string(claims, AssertionClaims.SUBJECT);
    String peerName = string(claims, AssertionClaims.PEER);
    if (sub == null) {
      if (peerName != null || claims.containsKey(AssertionClaims.GROUPS)) {
        throw new IllegalArgumentException("peer or groups without sub");
      }
      return Identities.ANONYMOUS;
    }
    List<String> methods = strings(claims, AssertionClaims.METHODS);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("sub without amr");
    }
    Set<String> groups = new LinkedHashSet<>(strings(claims, AssertionClaims.GROUPS));
    Optional<Identity> peer = Optional.ofNullable(peerName).map(Identity::peer);
    if (AssertionClaims.CLIENT_CERTIFICATE.equals(methods.get(0))) {
      if (peer.isEmpty() || !peer.get().name().equals(sub)) {
        throw new IllegalArgumentException("amr says sub is the peer, but peer is not sub");
      }
      Identity named = peer.get();
      return new Identities(Optional.of(new Identity(named.name(), named.authenticationMethod(), groups, named.attributes())), Optional.empty());
    }
    Identity principal = new Identity(sub, AssertionClaims.authenticationMethod(methods.get(0)), groups, Map.of());
    return new Identities(peer, Optional.of(principal));
  }

  /** The key for a header: by {@code kid} when keys have one, else the only key; its algorithm must be the header's. */
  private AssertionKeys.@Nullable VerificationKey key(@Nullable String kid, JWSHeader header) {
    AssertionKeys.VerificationKey chosen = null;
    if (kid != null) {
      for (AssertionKeys.VerificationKey key : keys) {
        if (key.keyId().isPresent() && key.keyId().get().equals(kid)) {
          chosen = key;
        }
      }
    }
    if (chosen == null && keys.size() == 1 && (kid == null || keys.get(0).keyId().isEmpty())) {
      // One key without a kid (a PEM file, a secret) checks every assertion; one with a kid only those naming it or none.
      chosen = keys.get(0);
    }
    return chosen != null && chosen.algorithm().equals(header.getAlgorithm()) ? chosen : null;
  }

  private static @Nullable String string(Map<String, Object> claims, String name) {
    return claims.get(name) instanceof String value ? value : null;
  }

  private static @Nullable Long seconds(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    return value instanceof Long || value instanceof Integer ? ((Number) value).longValue() : null;
  }

  private static List<String> strings(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(name + " is not a list");
    }
    List<String> strings = new ArrayList<>(list.size());
    for (Object element : list) {
      if (!(element instanceof String text)) {
        throw new IllegalArgumentException(name + " holds a non-string");
      }
      strings.add(text);
    }
    return strings;
  }

  private static String quoted(@Nullable String value) {
    return value == null ? "(none)" : LogText.quote(value);
  }

  @Override
  public Optional<String> challenge() {
    // No scheme a client could answer: only the sidecar can make an assertion.
    return Optional.empty();
  }

  @Override
  public boolean vouches() {
    return true;
  }

  @Override
  public String toString() {
    return "sidecar-assertion " + issuer;
  }
}
