package dev.gatehouse.spring.autoconfigure;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.FactoryBean;

/**
 * The {@code gatehouse} health indicator on Boot 3.5, whose health API ({@code org.springframework.boot.actuate.health})
 * Boot 4 removed. The starter is compiled once, against Boot 4's, so this one is reached by class name: a {@link
 * Proxy} of Boot 3.5's {@code HealthIndicator} whose {@code health()} builds Boot 3.5's {@code Health} through its
 * public builder, and a {@link FactoryBean} declaring that interface as its type, so that Actuator finds it as it finds
 * any health indicator. It is only made when that interface is on the classpath.
 */
final class GatehouseLegacyHealthIndicator implements FactoryBean<Object> {

  static final String HEALTH_INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";
  private static final String HEALTH = "org.springframework.boot.actuate.health.Health";

  private final GatehouseHealth health;
  private final Class<?> indicatorType;
  private final Method up;
  private final Method down;
  private final Method withDetails;
  private final Method build;

  GatehouseLegacyHealthIndicator(GatehouseHealth health, ClassLoader classLoader) throws ReflectiveOperationException {
    this.health = health;
    this.indicatorType = Class.forName(HEALTH_INDICATOR, false, classLoader);
    Class<?> healthType = Class.forName(HEALTH, false, classLoader);
    this.up = healthType.getMethod("up");
    this.down = healthType.getMethod("down");
    this.withDetails = up.getReturnType().getMethod("withDetails", Map.class);
    this.build = up.getReturnType().getMethod("build");
  }

  @Override
  public Object getObject() {
    InvocationHandler handler = (proxy, method, args) -> invoke(proxy, method, args);
    return Proxy.newProxyInstance(indicatorType.getClassLoader(), new Class<?>[] {indicatorType}, handler);
  }

  private @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
    switch (method.getName()) {
      case "health":
        if (method.getParameterCount() == 0) {
          return health();
        }
        break;
      case "toString":
        return "GatehouseHealthIndicator (Boot 3.5)";
      case "hashCode":
        return System.identityHashCode(proxy);
      case "equals":
        return args != null && proxy == args[0];
      default:
        break;
    }
    if (method.isDefault()) {
      // getHealth(includeDetails) and the like: Boot's own default methods, which call health().
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    throw new UnsupportedOperationException(method.toString());
  }

  private Object health() throws ReflectiveOperationException {
    GatehouseHealth.Report report = health.check();
    try {
      Object builder = (report.up() ? up : down).invoke(null);
      return build.invoke(withDetails.invoke(builder, report.details()));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }

  @Override
  public Class<?> getObjectType() {
    return indicatorType;
  }
}
