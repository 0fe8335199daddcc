package dev.gatehouse.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot web application with no security code of its own, on 127.0.0.1:8082. The Gatehouse starter puts the
 * engine in front of every request because {@code application.yaml} sets {@code gatehouse.*}; the demo checks HTTP
 * Basic credentials against {@code examples/demo/htpasswd} (admin / admin).
 *
 * <p>Usage, from the repository root (the htpasswd path is relative to it):
 *
 * <pre>
 * mvn -B -q -pl examples/spring-boot-app -am package -DskipTests
 * java -jar examples/spring-boot-app/target/spring-boot-app.jar
 * curl -u admin:admin http://127.0.0.1:8082/
 * </pre>
 *
 * <p>or {@code mvn -pl examples/spring-boot-app -am spring-boot:run}; once the Gatehouse modules are in the local Maven
 * repository, without {@code -am}.
 */
@SpringBootApplication
public class SpringBootApp {

  public static void main(String[] args) {
    SpringApplication.run(SpringBootApp.class, args);
  }
}
