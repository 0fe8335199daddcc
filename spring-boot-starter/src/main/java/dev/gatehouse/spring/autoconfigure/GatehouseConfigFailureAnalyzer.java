package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a refused Gatehouse configuration into Boot's short start-up report instead of a stack trace, keeping core's
 * one-line message (which names the key and never shows a secret value).
 */
final class GatehouseConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    String property = cause.key().isEmpty() ? "the gatehouse.* properties" : "the property gatehouse." + cause.key();
    return new FailureAnalysis(
        "Gatehouse refused its configuration: " + cause.getMessage(), "Correct " + property + ".", cause);
  }
}
