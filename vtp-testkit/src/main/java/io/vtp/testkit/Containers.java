package io.vtp.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers fallback, used only when no server binary is on the machine and a Docker engine answers.
 * This class is the only one that touches Testcontainers, so the optional dependency is loaded only here.
 */
final class Containers implements AutoCloseable {
  private final List<GenericContainer<?>> started = new ArrayList<>();

  static boolean available() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false, Containers.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  synchronized RedisServer redis() {
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("redis:7.0"))
        .withExposedPorts(6379)
        .waitingFor(Wait.forListeningPort())
        .withStartupTimeout(Duration.ofMinutes(2));
    c.start();
    started.add(c);
    return new RedisServer(c.getHost(), c.getMappedPort(6379), null, null, c::stop);
  }

  synchronized PostgresServer postgres() {
    GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("postgres:15"))
        .withEnv("POSTGRES_PASSWORD", "vtp-test")
        .withExposedPorts(5432)
        .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 2))
        .withStartupTimeout(Duration.ofMinutes(2));
    c.start();
    started.add(c);
    return new PostgresServer(c.getHost(), c.getMappedPort(5432), "postgres", "postgres", "vtp-test", null, c::stop);
  }

  @Override
  public synchronized void close() {
    started.forEach(GenericContainer::stop);
    started.clear();
  }
}
