package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/** {@code gatehouse} in Actuator's {@code /info}: the version, the authentication methods and the number of rules. */
final class GatehouseInfoContributor implements InfoContributor {

  private final Gatehouse gatehouse;

  GatehouseInfoContributor(Gatehouse gatehouse) {
    this.gatehouse = gatehouse;
  }

  @Override
  public void contribute(Info.Builder builder) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("version", Gatehouse.version());
    details.put("authenticators", gatehouse.authenticatorNames());
    details.put("rules", gatehouse.ruleCount());
    builder.withDetail("gatehouse", details);
  }
}
