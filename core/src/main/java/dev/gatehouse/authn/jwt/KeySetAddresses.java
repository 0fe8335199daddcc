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
      if (address.isLinkLocalAddress() || isAwsMetadataV6(address)) {
        String named = host.equals(address.getHostAddress()) ? "" : " (" + host + " resolves to " + address.getHostAddress() + ")";
        return Optional.of(
            "host " + address.getHostAddress() + named + " is link-local, where cloud metadata services answer; key material is never fetched there");
      }
    }
    return Optional.empty();
  }

  private static boolean isAwsMetadataV6(InetAddress address) {
    return address instanceof Inet6Address && java.util.Arrays.equals(address.getAddress(), AWS_METADATA_V6);
  }
}
