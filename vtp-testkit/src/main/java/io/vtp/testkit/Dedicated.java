package io.vtp.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link RedisServer}, {@link RedisCluster}, {@link PostgresServer} or {@link PostgresDatabase} parameter
 * resolved by {@link VtpServers} as needing a server of its own: started by the testkit from the machine's binaries
 * (so pause, kill and restart work and harm no other test class), and stopped after the test class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Dedicated {}
