package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.Gatehouse;
import dev.gatehouse.metrics.SourceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code gatehouse} health check, apart from Actuator's types (which differ between Boot 3.5 and 4.x): DOWN when
 * any source the engine decides on could not be renewed ({@link SourceStatus#healthy()}: a changed file refused while
 * the previous one is still served, an issuer's keys not fetched for longer than their cache allows), UP otherwise.
 *
 * <p>Details name each source and say how it is doing; the reason of a failure is the one the engine logs, which never
 * contains a password, a token or a key. The check reads counters and volatile fields only: it never fetches anything,
 * so a slow identity provider cannot make the health endpoint slow.
 */
final class GatehouseHealth {

  /** What the check found. */
  record Report(boolean up, Map<String, Object> details) {}

  private final Gatehouse gatehouse;

  GatehouseHealth(Gatehouse gatehouse) {
    this.gatehouse = gatehouse;
  }

  Report check() {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (SourceStatus source : gatehouse.sources()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kind", source.kind());
      entry.put("name", source.name());
      entry.put("healthy", source.healthy());
      entry.put("successes", source.successes());
      entry.put("failures", source.failures());
      source.lastSuccess().ifPresent(time -> entry.put("lastSuccess", time.toString()));
      source.lastError().ifPresent(error -> entry.put("lastError", error));
      details.put(source.kind() + " " + source.name(), entry);
      if (!source.healthy()) {
        problems.add(reason(source));
      }
    }
    if (!problems.isEmpty()) {
      details.put("reason", String.join("; ", problems));
    }
    return new Report(problems.isEmpty(), details);
  }

  private static String reason(SourceStatus source) {
    String error = source.lastError().orElse("unknown error");
    if (source.kind().equals(SourceStatus.JWKS)) {
      return "keys of issuer " + source.name() + " could not be fetched for longer than they may be cached (" + error + ")";
    }
    return source.kind() + " " + source.name() + " changed but was refused (" + error + "); the previous version is still in force";
  }
}
