package dev.gatehouse.sidecar;

import java.time.Instant;

/**
 * One access token from a token endpoint, and when to stop using it. {@link #toString()} never shows the value.
 *
 * @param value the token, secret
 * @param obtained when it arrived
 * @param usableUntil when it stops being used: 30 s before it expires
 * @param refreshAt when a new one is fetched in the background while this one is still used
 */
record AccessToken(String value, Instant obtained, Instant usableUntil, Instant refreshAt) {

  @Override
  public String toString() {
    return "AccessToken[usable until " + usableUntil + "]";
  }
}
