package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.authn.AuthenticationResult;
import dev.gatehouse.authn.Authenticator;
import dev.gatehouse.http.IdentityHeaders;
import dev.gatehouse.testing.FakeRequest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * No identity value HTTP would read differently reaches a header or a {@code Principal}, whichever authenticator made
 * it, a custom one included: each value either arrives exactly as the authenticator said it, or the request is
 * refused (a bad name) or the value is dropped (bad groups, e-mail, header values).
 */
class IdentityBoundaryPropertiesTest {

  /** A custom authenticator: whatever it says is what the engine is given. */
  private record Saying(Identity.Kind kind, Identity identity, Map<String, String> headers) implements Authenticator {
    @Override
    public AuthenticationResult authenticate(RequestView request) {
      return new AuthenticationResult.Success(identity, headers, Set.of());
    }

    @Override
    public Optional<String> challenge() {
      return Optional.of("Custom realm=\"x\"");
    }

    @Override
    public Identity.Kind kind() {
      return kind;
    }

    @Override
    public Set<String> identityHeaderNames() {
      return headers.keySet();
    }
  }

  /** Strings HTTP reads differently, mixed with ordinary ones so that both outcomes are exercised. */
  @Provide
  Arbitrary<String> values() {
    Arbitrary<String> hostile =
        Arbitraries.strings()
            .withCharRange('\u0000', '\u0120')
            .withChars(' ', '\t', ',', '\r', '\n', '\u0085', '\u009f', '\u00a0', '\u00ff', '\u0100', '\u2028', '\ufeff', '\ud83d')
            .ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.', '@', '/', '\u00fc').ofMinLength(1).ofMaxLength(10);
    Arbitrary<String> padded = plain.map(value -> " " + value);
    return Arbitraries.oneOf(hostile, plain, plain, padded);
  }

  @Property(tries = 600)
  void everyValueReachingAHeaderIsExactlyWhatTheAuthenticatorSaid(
      @ForAll("values") String name,
      @ForAll @Size(max = 4) List<@From("values") String> groups,
      @ForAll("values") String email,
      @ForAll("values") String custom,
      @ForAll boolean peer) {
    Assume.that(!name.isBlank());
    Identity said = new Identity(name, "custom", Set.copyOf(groups), Map.of(Identity.EMAIL, email));
    Authenticator authenticator = new Saying(peer ? Identity.Kind.PEER : Identity.Kind.REQUEST_PRINCIPAL, said, Map.of("X-Custom", custom));
    Gatehouse gatehouse = Gatehouse.builder().authenticator(authenticator).build();

    Decision decision = gatehouse.decide(FakeRequest.get("/"));

    if (!IdentityHeaders.isSafeValue(name)) {
      assertThat(decision).isInstanceOf(Decision.Challenge.class);
      return;
    }
    assertThat(decision).isInstanceOf(Decision.Allow.class);
    Decision.Allow allow = (Decision.Allow) decision;
    Map<String, String> headers = allow.headers();
    headers.values().forEach(value -> assertThat(IdentityHeaders.isSafeValue(value)).as("header value %s", value).isTrue());
    // The user the application sees, as a header and as a Principal, is exactly the name the authenticator gave.
    assertThat(headers).containsEntry(IdentityHeaders.USER, name);
    assertThat(allow.identity()).map(Identity::name).contains(name);
    // A group arrives as itself or not at all, and only groups the authenticator gave arrive.
    List<String> sentGroups = headers.containsKey(IdentityHeaders.GROUPS) ? Arrays.asList(headers.get(IdentityHeaders.GROUPS).split(",", -1)) : List.of();
    assertThat(sentGroups).allSatisfy(group -> assertThat(groups).contains(group));
    assertThat(allow.identity().orElseThrow().groups()).allSatisfy(group -> assertThat(IdentityHeaders.isSafeListElement(group)).isTrue());
    for (String group : groups) {
      assertThat(sentGroups.contains(group)).as("group %s", group).isEqualTo(IdentityHeaders.isSafeListElement(group));
    }
    assertThat(Optional.ofNullable(headers.get(IdentityHeaders.EMAIL))).isEqualTo(IdentityHeaders.isSafeValue(email) ? Optional.of(email) : Optional.empty());
    assertThat(Optional.ofNullable(headers.get("X-Custom"))).isEqualTo(IdentityHeaders.isSafeValue(custom) ? Optional.of(custom) : Optional.empty());
  }

  @Property(tries = 300)
  void theBoundaryRefusesEveryCharacterHttpWouldReadDifferently(@ForAll("values") String value) {
    boolean readsTheSame = true;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      readsTheSame &= c >= 0x20 && !(c >= 0x7f && c <= 0x9f) && c <= 0xff;
    }
    readsTheSame &= !value.isEmpty() && value.charAt(0) != ' ' && value.charAt(0) != '\t';
    readsTheSame &= !value.isEmpty() && value.charAt(value.length() - 1) != ' ' && value.charAt(value.length() - 1) != '\t';

    assertThat(IdentityHeaders.isSafeValue(value)).isEqualTo(readsTheSame);
    assertThat(IdentityHeaders.isSafeListElement(value)).isEqualTo(readsTheSame && value.indexOf(',') < 0);
  }

  @Example
  void customAuthenticatorsC1OrPaddedNameIsRefusedWith401() {
    for (String name : List.of("admin\u0085", " admin", "admin\t", "ad\u0000min", "admin\u0100")) {
      Identity said = new Identity(name, "custom", Set.of(), Map.of());
      Gatehouse gatehouse = Gatehouse.builder().authenticator(new Saying(Identity.Kind.REQUEST_PRINCIPAL, said, Map.of())).build();

      assertThat(gatehouse.decide(FakeRequest.get("/"))).as(name).isInstanceOfSatisfying(Decision.Challenge.class, challenge -> assertThat(challenge.status()).isEqualTo(401));
    }
  }

  @Example
  void customAuthenticatorsBadGroupsAndEmailAreDroppedNotForwarded() {
    Map<String, Object> attributes = new HashMap<>();
    attributes.put(Identity.EMAIL, "a@example.com\u0085");
    Identity said = new Identity("alice", "custom", Set.of("dev", "ops,admin", " root", "x\u009f"), attributes);
    Gatehouse gatehouse = Gatehouse.builder().authenticator(new Saying(Identity.Kind.REQUEST_PRINCIPAL, said, Map.of("X-Bad Name", "v"))).build();

    Decision.Allow allow = (Decision.Allow) gatehouse.decide(FakeRequest.get("/"));

    assertThat(allow.headers()).isEqualTo(Map.of(IdentityHeaders.USER, "alice", IdentityHeaders.GROUPS, "dev"));
    assertThat(allow.identity().orElseThrow().groups()).containsExactly("dev");
    assertThat(allow.identity().orElseThrow().attribute(Identity.EMAIL)).isEmpty();
  }
}
