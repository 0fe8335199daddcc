package dev.gatehouse.authn.assertion;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the compact JWS itself: the header is the same for every assertion, so it is encoded once, and the claims are
 * a handful of strings and numbers, written straight into one buffer. Only the signature is the key's work ({@link
 * Ed25519Jws}, or Nimbus's ES256 and HS256 signers).
 *
 * <p>Thread-safe: the signer is, the clock and the random source are.
 */
final class JwsAssertionSigner implements AssertionSigner {

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final JWSSigner signer;
  private final JWSHeader header;
  private final String encodedHeader;
  private final String issuer;
  private final String audience;
  private final long lifetimeSeconds;
  private final Clock clock;
  private final SecureRandom random;

  JwsAssertionSigner(JWSSigner signer, JWSAlgorithm algorithm, Optional<String> keyId, String issuer, String audience, Duration lifetime, Clock clock) {
    this.signer = signer;
    JWSHeader.Builder builder = new JWSHeader.Builder(algorithm).type(new JOSEObjectType(AssertionClaims.TYPE));
    keyId.ifPresent(builder::keyID);
    this.header = builder.build();
    StringBuilder json = new StringBuilder("{\"alg\":");
    JsonText.string(json, algorithm.getName());
    json.append(",\"typ\":");
    JsonText.string(json, AssertionClaims.TYPE);
    if (keyId.isPresent()) {
      json.append(",\"kid\":");
      JsonText.string(json, keyId.get());
    }
    this.encodedHeader = BASE64URL.encodeToString(json.append('}').toString().getBytes(StandardCharsets.UTF_8));
    this.issuer = issuer;
    this.audience = audience;
    // NumericDate is whole seconds; a lifetime below one would expire at once.
    this.lifetimeSeconds = Math.max(1, (lifetime.toMillis() + 999) / 1000);
    this.clock = clock;
    // The JDK's DRBG: thread-safe, seeded from the OS, and unlike NativePRNG it reads no file per call.
    try {
      this.random = SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG in this JDK", e);
    }
  }

  @Override
  public String sign(Identities identities, String method, String target) {
    Objects.requireNonNull(identities, "identities");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    long issuedAt = clock.millis() / 1000;
    byte[] id = new byte[16];
    random.nextBytes(id);

    StringBuilder claims = new StringBuilder(256);
    claims.append("{\"iss\":");
    JsonText.string(claims, issuer);
    claims.append(",\"aud\":");
    JsonText.string(claims, audience);
    Optional<Identity> primary = identities.primary();
    if (primary.isPresent()) {
      claims.append(",\"sub\":");
      JsonText.string(claims, primary.get().name());
    }
    if (identities.peer().isPresent()) {
      claims.append(",\"peer\":");
      JsonText.string(claims, identities.peer().get().name());
    }
    if (primary.isPresent() && !primary.get().groups().isEmpty()) {
      claims.append(",\"groups\":");
      JsonText.strings(claims, primary.get().groups().stream().sorted().toList());
    }
    if (primary.isPresent()) {
      // The primary identity's method first: the application reads it to know what sub names.
      String first = AssertionClaims.amr(primary.get().authenticationMethod());
      List<String> methods =
          identities.requestPrincipal().isPresent() && identities.peer().isPresent()
              ? List.of(first, AssertionClaims.amr(identities.peer().get().authenticationMethod())).stream().distinct().toList()
              : List.of(first);
      claims.append(",\"amr\":");
      JsonText.strings(claims, methods);
    }
    claims.append(",\"htm\":");
    JsonText.string(claims, method);
    claims.append(",\"htu\":");
    JsonText.string(claims, target);
    claims.append(",\"iat\":").append(issuedAt);
    claims.append(",\"exp\":").append(issuedAt + lifetimeSeconds);
    claims.append(",\"jti\":\"").append(BASE64URL.encodeToString(id)).append("\"}");

    String signingInput = encodedHeader + '.' + BASE64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      return signingInput + '.' + signer.sign(header, signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing the assertion failed", e);
    }
  }
}
