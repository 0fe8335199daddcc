package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.servlet.GatehouseFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration that puts the {@link Gatehouse} engine in front of every request of a servlet web application, as
 * a {@link GatehouseFilter}.
 *
 * <p>Active in a servlet web application that has a {@link Gatehouse} bean, whether {@link GatehouseAutoConfiguration}
 * made it or the application defined its own, unless {@code gatehouse.enabled=false}. The filter is registered once,
 * through a {@link FilterRegistrationBean} named {@value #REGISTRATION_BEAN_NAME} (define a bean of that name to replace
 * it), never as a plain {@code Filter} bean that the container would register a second time. It is mapped to {@code
 * /*} for the {@code REQUEST}, {@code ASYNC} and {@code ERROR} dispatches, so error pages and asynchronous handlers see
 * the same caller, and ordered by {@code gatehouse.filter.order}, by default before Spring Security.
 */
@AutoConfiguration(after = GatehouseAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, GatehouseFilter.class})
@ConditionalOnBooleanProperty(name = "gatehouse.enabled", matchIfMissing = true)
@ConditionalOnBean(Gatehouse.class)
public final class GatehouseServletFilterAutoConfiguration {

  /** The name of the filter registration bean. */
  public static final String REGISTRATION_BEAN_NAME = "gatehouseFilterRegistration";

  @Bean(REGISTRATION_BEAN_NAME)
  @ConditionalOnMissingBean(name = REGISTRATION_BEAN_NAME)
  FilterRegistrationBean<GatehouseFilter> gatehouseFilterRegistration(Gatehouse gatehouse, Environment environment) {
    // The application context owns the engine and closes it; the filter only uses it.
    FilterRegistrationBean<GatehouseFilter> registration = new FilterRegistrationBean<>(new GatehouseFilter(gatehouse));
    registration.setName(GatehouseFilter.FILTER_NAME);
    registration.addUrlPatterns("/*");
    // Async and error dispatches carry the container's unwrapped request: without a fresh decision they would see no
    // caller, and whatever identity headers the client sent. Forward and include keep the application's wrapper.
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    registration.setAsyncSupported(true);
    registration.setOrder(GatehousePropertiesBinder.filterOrder(environment));
    return registration;
  }
}
