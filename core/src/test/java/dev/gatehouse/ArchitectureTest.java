package dev.gatehouse;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Core owns every decision and runs anywhere: it must not depend on any container or framework. */
@AnalyzeClasses(packages = "dev.gatehouse", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule coreDoesNotDependOnServletSpringOrJetty =
      noClasses()
          .that().resideInAPackage("dev.gatehouse..")
          .should().dependOnClassesThat()
          .resideInAnyPackage("jakarta.servlet..", "javax.servlet..", "org.springframework..", "org.eclipse.jetty..", "org.apache.catalina..");

  /** One concept a package, layered: {@code config} at the bottom, nothing reaching back up. */
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.gatehouse.(*)..").should().beFreeOfCycles();

  /** The configuration model depends on no package of the engine (only on internal, the leaf beneath it): every other package builds on it. */
  @ArchTest
  static final ArchRule configDependsOnNothingAboveIt =
      noClasses()
          .that().resideInAPackage("dev.gatehouse.config..")
          .should().dependOnClassesThat()
          .resideInAnyPackage("dev.gatehouse.authn..", "dev.gatehouse.authz..", "dev.gatehouse.tls..", "dev.gatehouse.http..", "dev.gatehouse.path..");

  @ArchTest
  static final ArchRule publicApiDoesNotExposeThirdPartyTypes =
      com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods()
          .that().arePublic()
          .and().areDeclaredInClassesThat().arePublic()
          .and().areDeclaredInClassesThat().resideInAPackage("dev.gatehouse..")
          .should(new com.tngtech.archunit.lang.ArchCondition<com.tngtech.archunit.core.domain.JavaMethod>("not expose Nimbus, Caffeine, Bouncy Castle or SnakeYAML types") {
            @Override
            public void check(com.tngtech.archunit.core.domain.JavaMethod method, com.tngtech.archunit.lang.ConditionEvents events) {
              java.util.List<com.tngtech.archunit.core.domain.JavaClass> types = new java.util.ArrayList<>(method.getRawParameterTypes());
              types.add(method.getRawReturnType());
              for (com.tngtech.archunit.core.domain.JavaClass type : types) {
                String name = type.getName();
                if (name.startsWith("com.nimbusds.") || name.startsWith("com.github.benmanes.") || name.startsWith("org.bouncycastle.")
                    || name.startsWith("org.snakeyaml.") || name.startsWith("org.apache.commons.")) {
                  events.add(com.tngtech.archunit.lang.SimpleConditionEvent.violated(method, method.getFullName() + " exposes " + name));
                }
              }
            }
          });
}
