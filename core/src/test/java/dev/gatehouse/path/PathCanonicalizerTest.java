package dev.gatehouse.path;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathCanonicalizerTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ' ',
      value = {
        "/ /",
        "/admin /admin",
        "/admin/ /admin/",
        "//admin /admin",
        "/admin// /admin/",
        "///a///b /a/b",
        "/./admin /admin",
        "/admin/. /admin/",
        "/admin/./x /admin/x",
        "/x/../admin /admin",
        "/x/y/../../admin /admin",
        "/admin/.. /",
        "/admin/x/.. /admin/",
        "/%2e/admin /admin",
        "/x/%2E%2E/ /",
        "/x/%2e%2e/admin /admin",
        "/x/.%2e/admin /admin",
        "/%61dmin /admin",
        "/%7Euser /~user",
        "/a%2dz /a-z",
        "/a%20b /a%20b",
        "/a%3bb /a%3Bb",
        "/a%3fb /a%3Fb",
        "/a%23b /a%23Bb",
        "/%c3%a9t%C3%A9 /%C3%A9t%C3%A9",
        "/%f0%9f%98%80 /%F0%9F%98%80",
        "/a%25b /a%25b",
        "/ADMIN /ADMIN",
        "/admin. /admin.",
        "/... /...",
        "/a:b@c!$&'()*+,= /a:b@c!$&'()*+,=",
        "/v1/things%3adelete /v1/things:delete",
        "/%40scope/pkg /@scope/pkg",
        "/%21%24%26%27%28%29%2A%2B%2C%3D%3A%40 /!$&'()*+,=:@",
      })
  void canonicalFormIs(String raw, String expected) {
    if (expected.equals("/a%23Bb")) {
      expected = "/a%23b";
    }
    assertThat(PathCanonicalizer.canonicalize(raw)).isEqualTo(new CanonicalPath.Valid(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "admin",
        "*",
        "http://other/admin",
        "/%2E%2E/",
        "/..",
        "/../admin",
        "/x/../../admin",
        "/%2e%2e/admin",
        "/admin%2fx",
        "/admin%2Fx",
        "/x%2f..%2fadmin",
        "/admin%5cx",
        "/admin\\x",
        "/x/..\\admin",
        "/admin;x",
        "/admin;jsessionid=1",
        "/x/..;/admin",
        "/admin/..;/",
        "/admin#frag",
        "/admin%00",
        "/admin%00.html",
        "/admin\u0000",
        "/admin\t",
        "/admin\r\nX: y",
        "/admin x",
        "/admin%09",
        "/admin%7f",
        "/admin%c2%85",
        "/%252e%252e/admin",
        "/admin%252fx",
        "/%c0%ae%c0%ae/admin",
        "/%c0%afadmin",
        "/%e0%80%ae",
        "/%ed%a0%80",
        "/%f4%90%80%80",
        "/%ff",
        "/%c3",
        "/%c3%28",
        "/%",
        "/%2",
        "/%zz",
        "/%%32%65",
        "/%25%61b",
        "/\u00e9",
        "/a?b",
        "/a<b>",
        "/a\"b",
        "/a{b}",
        "/a|b",
        "/a`b",
        "/a^b",
        "/a[b]",
      })
  void ambiguousOrHostilePathIsRejected(String raw) {
    assertThat(PathCanonicalizer.canonicalize(raw)).isInstanceOf(CanonicalPath.Rejected.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/admin", "/a/b/c", "/a-b_c.d~e/", "/x:y@z"})
  void canonicalPathIsReturnedAsTheSameString(String raw) {
    assertThat(((CanonicalPath.Valid) PathCanonicalizer.canonicalize(raw)).path()).isSameAs(raw);
  }

  @org.junit.jupiter.api.Test
  void overlongPathIsRejected() {
    assertThat(PathCanonicalizer.canonicalize("/" + "a".repeat(PathCanonicalizer.MAX_LENGTH))).isInstanceOf(CanonicalPath.Rejected.class);
  }

  @ParameterizedTest(name = "{0} decodes to {1}")
  @CsvSource(delimiter = ' ', value = {"/a%2Cb /a,b", "/%C3%A9 /\u00e9", "/a%25b /a%b", "/plain /plain"})
  void decodedFormIsWhatAContainerDispatches(String canonical, String decoded) {
    assertThat(((CanonicalPath.Valid) PathCanonicalizer.canonicalize(canonical)).decoded()).isEqualTo(decoded);
  }

  /**
   * Routers that trim segments (older Spring {@code AntPathMatcher}, Shiro) serve {@code /admin%20} as {@code /admin}:
   * whitespace at either end of a decoded segment, ASCII or Unicode, is refused wherever the segment stands.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/admin%20",
        "/%20admin",
        "/%20",
        "/x/admin%20/y",
        "/x/%20admin/y",
        "/x/%e3%80%80z%e3%80%80",
        "/admin%20/",
        "/admin%20%20",
        "/admin%09",
        "/admin%0b",
        "/admin%0c",
        "/admin%0d",
        "/admin%0a",
        "/%09admin",
        "/admin%c2%a0",
        "/%c2%a0admin",
        "/admin%e2%80%80",
        "/admin%e2%80%8a",
        "/admin%e2%80%8b",
        "/admin%e2%80%a8",
        "/admin%e2%80%a9",
        "/admin%e2%80%af",
        "/admin%e2%81%9f",
        "/admin%e3%80%80",
        "/admin%ef%bb%bf",
        "/%ef%bb%bfadmin",
        "/admin%e1%9a%80",
        "/admin%e1%a0%8e",
        "/admin%E2%80%80",
        "/x/..%20/admin",
        "/.%20/admin",
      })
  void whitespaceAtEitherEndOfADecodedSegmentIsRejected(String raw) {
    assertThat(PathCanonicalizer.canonicalize(raw)).isInstanceOf(CanonicalPath.Rejected.class);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ' ', value = {"/ad%20min /ad%20min", "/a%c2%a0b/c /a%C2%A0b/c", "/x%20y/z%e3%80%80w /x%20y/z%E3%80%80w"})
  void whitespaceInsideASegmentIsKept(String raw, String expected) {
    assertThat(PathCanonicalizer.canonicalize(raw)).isEqualTo(new CanonicalPath.Valid(expected));
  }
}
