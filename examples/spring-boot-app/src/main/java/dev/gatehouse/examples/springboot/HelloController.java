package dev.gatehouse.examples.springboot;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Greets the caller Gatehouse authenticated; the controller never sees an unauthenticated request. */
@RestController
class HelloController {

  @GetMapping("/")
  String hello(HttpServletRequest request) {
    return "Hello, " + request.getRemoteUser() + "!\n";
  }
}
