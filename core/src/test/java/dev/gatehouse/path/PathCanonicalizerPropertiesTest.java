package dev.gatehouse.path;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the canonicalizer over generated paths built from the pieces attacks are made of: dots, slashes,
 * percent-encodings (valid, invalid, doubled, overlong), backslashes, semicolons and control characters.
 */
class PathCanonicalizerPropertiesTest {

  @Provide
  Arbitrary<String> hostilePaths() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "/", "//", ".", "..", "/.", "/..", "%2e", "%2E", "%2f", "%5c", "\\", ";", "%3b", "#", "%00", "%25", "%252e", "%c0%ae",
                "%c3%a9", "%e2%82%ac", "%f0%9f%98%80", "%ff", "%", "%2", "admin", "a", "A", "~", "-", "_", ":", "@", "\t", " ", "\u00e9",
                "?", "*", "%41", "%7e", "%20"),
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(3));
    return piece.list().ofMaxSize(12).map(pieces -> String.join("", pieces)).map(path -> path.startsWith("/") ? path : "/" + path);
  }

  @Provide
  Arbitrary<String> anyStrings() {
    return Arbitraries.strings().all().ofMaxLength(40);
  }

  @Property(tries = 5000)
  void neverThrowsOnAnyString(@ForAll("anyStrings") String raw) {
    assertThat(PathCanonicalizer.canonicalize(raw)).isNotNull();
  }

  @Property(tries = 20000)
  void isIdempotent(@ForAll("hostilePaths") String raw) {
    if (PathCanonicalizer.canonicalize(raw) instanceof CanonicalPath.Valid valid) {
      assertThat(PathCanonicalizer.canonicalize(valid.path())).isEqualTo(valid);
    }
  }

  @Property(tries = 20000)
  void outputHasNoEmptyOrDotSegment(@ForAll("hostilePaths") String raw) {
    if (PathCanonicalizer.canonicalize(raw) instanceof CanonicalPath.Valid valid) {
      String path = valid.path();
      assertThat(path).startsWith("/").doesNotContain("//", "/./", "/../", "\\", ";", "#", "%2F", "%5C", "%00");
      assertThat(path).doesNotEndWith("/.").doesNotEndWith("/..");
      assertThat(path.chars().allMatch(c -> c > 0x20 && c < 0x7f)).isTrue();
    }
  }

  @Property(tries = 20000)
  void decodedFormHasNoDotSegmentEither(@ForAll("hostilePaths") String raw) {
    if (PathCanonicalizer.canonicalize(raw) instanceof CanonicalPath.Valid valid) {
      // What the application sees after its one decoding must not be climbable either.
      String decoded = valid.decoded();
      assertThat(decoded).doesNotContain("//", "/./", "/../", "\\").doesNotEndWith("/..").doesNotEndWith("/.");
    }
  }
}
