package dev.gatehouse.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand, so expiry is tested without sleeping; pair it with a {@link FakeTicker}. */
public final class FakeClock extends Clock {

  private volatile Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  public FakeClock advance(Duration duration) {
    now = now.plus(duration);
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
