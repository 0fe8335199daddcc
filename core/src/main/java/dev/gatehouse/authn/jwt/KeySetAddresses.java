package dev.gatehouse.authn.jwt;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where key material may not come from: link-local addresses (169.254.0.0/16, fe80::/10), home of the cloud metadata
 * services (169.254.169.254 on AWS, GCP and Azure, fd00:ec2::254 on AWS over IPv6), which answer any local caller with
 * credentials and would let a configuration mistake or a hostile discovery document point key fetches at them.
 *
 * <p>A host name is resolved when the issuer is loaded and again before every fetch, and refused if any of its
 * addresses is such an address. DNS can still change between this lookup and the connection's own (rebinding); the
 * check narrows that window, the network policy of the pod must close it. Stateless and thread-safe.
 */
final class KeySetAddresses {

  private static final byte[] AWS_METADATA_V6 = {(byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

  private KeySetAddresses() {}

  /**
   * Why key material may not be fetched from a URL's host.
   *
   * @param url the JWKS or discovery URL
   * @return the reason, or empty if the host is not link-local or cannot be resolved now
   */
  static Optional<String> refusal(URI url) {
    String host = url.getHost();
    if (host == null) {
      return Optional.empty();
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      // Not refused: the issuer may be unresolvable while Gatehouse starts; each fetch asks again.
      return Optional.empty();
    }
    for (InetAddress address : addresses) {
      if (isLinkLocal(address)) {
        String named = host.equals(address.getHostAddress()) ? "" : " (" + host + " resolves to " + address.getHostAddress() + ")";
        return Optional.of(
            "host " + address.getHostAddress() + named + " is link-local, where cloud metadata services answer; key material is never fetched there");
      }
    }
    return Optional.empty();
  }

  /**
   * Link-local or AWS's IPv6 metadata address, also when an IPv6 address carries a link-local IPv4 one: IPv4-compatible
   * ({@code ::169.254.169.254}, which Java keeps as IPv6, unlike the IPv4-mapped form), NAT64 ({@code 64:ff9b::/96})
   * and 6to4 ({@code 2002:a9fe:a9fe::/48}).
   */
  private static boolean isLinkLocal(InetAddress address) {
    if (address.isLinkLocalAddress()) {
      return true;
    }
    if (!(address instanceof Inet6Address)) {
      return false;
    }
    byte[] bytes = address.getAddress();
    if (java.util.Arrays.equals(bytes, AWS_METADATA_V6)) {
      return true;
    }
    boolean compatible = true;
    for (int i = 0; i < 12; i++) {
      compatible &= bytes[i] == 0;
    }
    boolean nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == (byte) 0xff && bytes[3] == (byte) 0x9b;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = bytes[i] == 0;
    }
    if (compatible || nat64) {
      return isLinkLocalV4(bytes[12], bytes[13]);
    }
    boolean sixToFour = bytes[0] == 0x20 && bytes[1] == 0x02;
    return sixToFour && isLinkLocalV4(bytes[2], bytes[3]);
  }

  private static boolean isLinkLocalV4(byte first, byte second) {
    return (first & 0xff) == 169 && (second & 0xff) == 254;
  }
}
