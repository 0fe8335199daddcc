package dev.gatehouse.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when some {@code gatehouse.*} property is set, from any property source and in any of Boot's relaxed forms,
 * unless {@code gatehouse.enabled} is {@code false}.
 *
 * <p>Adding the starter alone changes nothing; setting any key says the application means to use Gatehouse, and from
 * then on an incomplete configuration fails the start-up rather than leaving the application open.
 */
final class OnGatehouseConfiguredCondition extends SpringBootCondition {

  private static final Bindable<Map<String, Object>> ANY_PROPERTIES = Bindable.mapOf(String.class, Object.class);

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    ConditionMessage.Builder message = ConditionMessage.forCondition("Gatehouse configuration");
    Binder binder = Binder.get(context.getEnvironment());
    if (!binder.bind("gatehouse.enabled", Boolean.class).orElse(true)) {
      return ConditionOutcome.noMatch(message.because("gatehouse.enabled is false"));
    }
    if (!binder.bind("gatehouse", ANY_PROPERTIES).isBound()) {
      return ConditionOutcome.noMatch(message.didNotFind("any gatehouse.* property").atAll());
    }
    return ConditionOutcome.match(message.found("gatehouse.* properties").atAll());
  }
}
