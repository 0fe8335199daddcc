package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.config.GatehouseConfig;
import dev.gatehouse.metrics.GatehouseListener;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@link Gatehouse} engine from {@code gatehouse.*} properties.
 *
 * <p>Active when any {@code gatehouse.*} property is set, unless {@code gatehouse.enabled=false}. The engine is built
 * by Gatehouse's own configuration loader, so a bad value stops the application from starting with the same one-line
 * message the sidecar gives for its YAML file. Define your own {@link GatehouseConfig} or {@link Gatehouse} bean to replace
 * the bound configuration or the engine. The engine is
 * closed when the application context closes.
 *
 * <p>Every {@link GatehouseListener} bean hears the engine's decisions (the Micrometer binder of {@link
 * GatehouseActuatorAutoConfiguration} is one).
 *
 * <p>Putting the engine in front of requests is {@link GatehouseServletFilterAutoConfiguration}'s job.
 */
@AutoConfiguration
@Conditional(OnGatehouseConfiguredCondition.class)
public final class GatehouseAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  GatehouseConfig gatehouseConfig(Environment environment) {
    return GatehousePropertiesBinder.bind(environment);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Gatehouse gatehouse(GatehouseConfig config, ObjectProvider<GatehouseListener> listeners) {
    Gatehouse.Builder builder = Gatehouse.builder().config(config);
    List<GatehouseListener> all = listeners.orderedStream().toList();
    if (all.size() == 1) {
      builder.listener(all.get(0));
    } else if (!all.isEmpty()) {
      builder.listener((kind, authentication, nanos) -> all.forEach(listener -> listener.decision(kind, authentication, nanos)));
    }
    return builder.build();
  }
}
