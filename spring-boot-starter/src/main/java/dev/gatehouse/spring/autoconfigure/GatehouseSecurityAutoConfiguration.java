package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.spring.security.GatehouseAuthenticationConverter;
import dev.gatehouse.spring.security.GatehouseRefusals;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.core.GrantedAuthorityDefaults;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * With Spring Security on the classpath, makes the caller Gatehouse let in Spring Security's caller.
 *
 * <p>A {@link GatehouseSecurityContextFilter}, registered right after the Gatehouse filter and before Spring
 * Security's, puts a {@link dev.gatehouse.spring.security.GatehouseAuthentication} in the {@code SecurityContext} of
 * every request Gatehouse let in with an identity: {@code @PreAuthorize}, {@code @AuthenticationPrincipal}, {@code
 * authorizeHttpRequests} and Spring Security's servlet request wrapper ({@code getUserPrincipal()}, {@code
 * getRemoteUser()}, {@code isUserInRole()}) then answer from it. {@link GatehouseRefusals} is a bean, for a {@code
 * SecurityFilterChain}'s exception handling; and when the application defines no {@code SecurityFilterChain}, one is
 * defined in which Gatehouse decides: every request Gatehouse let in is permitted (method security still applies),
 * stateless, and Spring Security's own refusals are answered as Gatehouse's (401 with its challenges, 403), never with
 * a login page.
 *
 * <p>Every Spring Security type is named by class name in the conditions, so the starter works without Spring
 * Security; Boot's own security auto-configurations are named for both Boot 3.5 and 4.x, whose packages differ.
 */
@AutoConfiguration(
    after = GatehouseServletFilterAutoConfiguration.class,
    beforeName = {
      // Boot 3.5
      "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration",
      // Boot 4.x
      "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(
    name = {
      "org.springframework.security.web.SecurityFilterChain",
      "org.springframework.security.config.annotation.web.builders.HttpSecurity",
      "jakarta.servlet.Filter"
    })
@ConditionalOnBooleanProperty(name = "gatehouse.enabled", matchIfMissing = true)
@ConditionalOnBean(Gatehouse.class)
public final class GatehouseSecurityAutoConfiguration {

  /** The name of the registration of the filter that hands the caller to Spring Security. */
  public static final String REGISTRATION_BEAN_NAME = "gatehouseSecurityContextFilterRegistration";

  /** Spring Security's filter order when {@code spring.security.filter.order} is not set. */
  private static final int SPRING_SECURITY_DEFAULT_ORDER = -100;

  private static final Logger log = LoggerFactory.getLogger(GatehouseSecurityAutoConfiguration.class);

  /**
   * Read before method security's configuration is made, hence static: Spring Security's {@code hasRole} and its
   * request wrapper's {@code isUserInRole} then use the same prefix as the groups' authorities.
   */
  @Bean
  @ConditionalOnMissingBean
  static GrantedAuthorityDefaults gatehouseGrantedAuthorityDefaults(Environment environment) {
    return new GrantedAuthorityDefaults(GatehousePropertiesBinder.rolePrefix(environment));
  }

  @Bean
  @ConditionalOnMissingBean
  GatehouseAuthenticationConverter gatehouseAuthenticationConverter(Environment environment) {
    return new GatehouseAuthenticationConverter(GatehousePropertiesBinder.rolePrefix(environment));
  }

  @Bean
  @ConditionalOnMissingBean
  GatehouseRefusals gatehouseRefusals(Gatehouse gatehouse) {
    return new GatehouseRefusals(gatehouse);
  }

  @Bean(REGISTRATION_BEAN_NAME)
  @ConditionalOnMissingBean(name = REGISTRATION_BEAN_NAME)
  FilterRegistrationBean<GatehouseSecurityContextFilter> gatehouseSecurityContextFilterRegistration(
      GatehouseAuthenticationConverter converter, ObjectProvider<SecurityContextHolderStrategy> holder, Environment environment) {
    GatehouseSecurityContextFilter filter =
        new GatehouseSecurityContextFilter(
            converter, new RequestAttributeSecurityContextRepository(), holder.getIfAvailable(SecurityContextHolder::getContextHolderStrategy));
    FilterRegistrationBean<GatehouseSecurityContextFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("gatehouseSecurityContext");
    registration.addUrlPatterns("/*");
    // The dispatches the Gatehouse filter decides on, each with its fresh decision.
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    registration.setAsyncSupported(true);
    int order = GatehousePropertiesBinder.filterOrder(environment) + 1;
    registration.setOrder(order);
    int springSecurity = environment.getProperty("spring.security.filter.order", Integer.class, SPRING_SECURITY_DEFAULT_ORDER);
    if (order >= springSecurity) {
      // Spring Security would then load its context before the caller is known: it sees no one, and refuses.
      log.warn(
          "gatehouse.filter.order ({}) is not before spring.security.filter.order ({}): Spring Security will not see the Gatehouse caller",
          order - 1,
          springSecurity);
    }
    return registration;
  }

  /** The chain of an application that defines none: Gatehouse decides, Spring Security adds method security. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(SecurityFilterChain.class)
  static class GatehouseDecidesConfiguration {

    @Bean
    SecurityFilterChain gatehouseSecurityFilterChain(HttpSecurity http, GatehouseRefusals refusals) throws Exception {
      http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
          .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
      return http.build();
    }
  }
}
