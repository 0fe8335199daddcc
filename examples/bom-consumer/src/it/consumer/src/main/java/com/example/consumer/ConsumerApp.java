package com.example.consumer;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A user's application: no Gatehouse code, only the starter on the classpath and gatehouse.* in application.yaml. */
@SpringBootApplication
@RestController
public class ConsumerApp {

  public static void main(String[] args) {
    SpringApplication.run(ConsumerApp.class, args);
  }

  @GetMapping("/")
  String hello(HttpServletRequest request) {
    return "Hello, " + request.getRemoteUser() + "!";
  }
}
