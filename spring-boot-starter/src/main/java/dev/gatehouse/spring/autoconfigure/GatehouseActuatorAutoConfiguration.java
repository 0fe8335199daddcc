package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Gatehouse in Micrometer and Actuator, each part when the application has the library, checked by class name.
 *
 * <ul>
 *   <li>Micrometer: a {@code MeterBinder} with the meters core names ({@link dev.gatehouse.metrics.GatehouseMeters}),
 *       which is also the engine's listener ({@link GatehouseAutoConfiguration} registers every {@link
 *       dev.gatehouse.metrics.GatehouseListener} bean).
 *   <li>Health: an indicator named {@code gatehouse} ({@link GatehouseHealth}), on Boot 4.x's health API or Boot 3.5's,
 *       whichever is present; {@code management.health.gatehouse.enabled=false} turns it off. It is in no probe group
 *       of its own accord: an identity provider's outage must never make Kubernetes restart the application.
 *   <li>Info: {@code gatehouse} in {@code /actuator/info} (version, methods, number of rules).
 * </ul>
 */
@AutoConfiguration(after = GatehouseAutoConfiguration.class)
public final class GatehouseActuatorAutoConfiguration {

  /** The meter binder, a listener of the engine it reads. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  @ConditionalOnBean(Gatehouse.class)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    dev.gatehouse.micrometer.GatehouseMeterBinder gatehouseMeterBinder(ObjectProvider<Gatehouse> gatehouse) {
      // Core's binder, the sidecar's too: the same series on /actuator/prometheus as on the sidecar's /metrics.
      return new dev.gatehouse.micrometer.GatehouseMeterBinder(gatehouse::getObject);
    }
  }

  /** Boot 4.x's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnBooleanProperty(name = "management.health.gatehouse.enabled", matchIfMissing = true)
  @ConditionalOnBean(Gatehouse.class)
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "gatehouseHealthIndicator")
    GatehouseHealthIndicator gatehouseHealthIndicator(Gatehouse gatehouse) {
      return new GatehouseHealthIndicator(new GatehouseHealth(gatehouse));
    }
  }

  /** Boot 3.5's health API, when Boot 4.x's is absent. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = GatehouseLegacyHealthIndicator.HEALTH_INDICATOR)
  @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnBooleanProperty(name = "management.health.gatehouse.enabled", matchIfMissing = true)
  @ConditionalOnBean(Gatehouse.class)
  static class LegacyHealth {
    @Bean
    @ConditionalOnMissingBean(name = "gatehouseHealthIndicator")
    GatehouseLegacyHealthIndicator gatehouseHealthIndicator(Gatehouse gatehouse) throws ReflectiveOperationException {
      return new GatehouseLegacyHealthIndicator(new GatehouseHealth(gatehouse), Gatehouse.class.getClassLoader());
    }
  }

  /** Actuator's info endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
  @ConditionalOnBean(Gatehouse.class)
  static class InfoConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "gatehouseInfoContributor")
    GatehouseInfoContributor gatehouseInfoContributor(Gatehouse gatehouse) {
      return new GatehouseInfoContributor(gatehouse);
    }
  }
}
