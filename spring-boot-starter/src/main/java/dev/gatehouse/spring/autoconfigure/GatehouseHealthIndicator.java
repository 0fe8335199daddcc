package dev.gatehouse.spring.autoconfigure;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code gatehouse} health indicator on Boot 4.x, whose health API is {@code org.springframework.boot.health}. */
final class GatehouseHealthIndicator implements HealthIndicator {

  private final GatehouseHealth health;

  GatehouseHealthIndicator(GatehouseHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    GatehouseHealth.Report report = health.check();
    return (report.up() ? Health.up() : Health.down()).withDetails(report.details()).build();
  }
}
