package dev.gatehouse.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * IPv4 and IPv6 CIDR blocks, matched against the direct peer's address. Only literals are accepted, in the
 * configuration and in requests, so nothing here ever asks DNS. An IPv4-mapped IPv6 peer ({@code ::ffff:10.0.0.1})
 * is the IPv4 address it maps.
 */
final class IpBlocks {

  private final byte[][] networks;
  private final int[] prefixLengths;

  private IpBlocks(byte[][] networks, int[] prefixLengths) {
    this.networks = networks;
    this.prefixLengths = prefixLengths;
  }

  static IpBlocks compile(List<String> blocks) {
    byte[][] networks = new byte[blocks.size()][];
    int[] prefixLengths = new int[blocks.size()];
    for (int i = 0; i < blocks.size(); i++) {
      String block = blocks.get(i);
      int slash = block.indexOf('/');
      String address = slash < 0 ? block : block.substring(0, slash);
      byte[] bytes = parse(address);
      if (bytes == null) {
        throw new ValueMatcher.PatternException(i, "expected an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8, found " + block);
      }
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(block.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new ValueMatcher.PatternException(i, "prefix length must be 0 to " + bytes.length * 8 + ", found " + block);
        }
      }
      for (int bit = prefix; bit < bytes.length * 8; bit++) {
        if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) {
          throw new ValueMatcher.PatternException(i, "host bits set after the prefix length; did you mean " + canonical(bytes, prefix) + "?");
        }
      }
      networks[i] = bytes;
      prefixLengths[i] = prefix;
    }
    return new IpBlocks(networks, prefixLengths);
  }

  private static String canonical(byte[] bytes, int prefix) {
    byte[] network = bytes.clone();
    for (int bit = prefix; bit < network.length * 8; bit++) {
      network[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean contains(byte @Nullable [] address) {
    if (address == null) {
      return false;
    }
    for (int i = 0; i < networks.length; i++) {
      if (networks[i].length == address.length && prefixMatches(networks[i], address, prefixLengths[i])) {
        return true;
      }
    }
    return false;
  }

  private static boolean prefixMatches(byte[] network, byte[] address, int prefix) {
    int fullBytes = prefix / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (network[i] != address[i]) {
        return false;
      }
    }
    int bits = prefix % 8;
    if (bits == 0) {
      return true;
    }
    int mask = (0xff << (8 - bits)) & 0xff;
    return (network[fullBytes] & mask) == (address[fullBytes] & mask);
  }

  /**
   * Parses an IP literal without ever resolving a name: dotted-quad IPv4 strictly by hand, IPv6 only when the text has
   * nothing but hex digits, colons and dots (the JDK parses such a text as a literal or fails, without DNS). IPv4-mapped
   * IPv6 comes back as 4 bytes.
   *
   * @return the address bytes, or {@code null} if the text is not a literal
   */
  static byte @Nullable [] parse(String text) {
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    int zone = text.indexOf('%');
    if (zone >= 0) {
      text = text.substring(0, zone);
    }
    // Measured without the zone: an interface name may be 15 characters, and an unparsed peer escapes deny rules.
    if (text.isEmpty() || text.length() > 45) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return parseIpv4(text);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return null;
      }
    }
    try {
      // Brackets make the JDK insist on an IPv6 literal: it fails instead of falling back to a DNS lookup.
      return InetAddress.getByName("[" + text + "]").getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte @Nullable [] parseIpv4(String text) {
    byte[] bytes = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        bytes[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        // No leading zeros: 010 is octal to some parsers and decimal to others.
        if (value == 0) {
          return null;
        }
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? bytes : null;
  }
}
