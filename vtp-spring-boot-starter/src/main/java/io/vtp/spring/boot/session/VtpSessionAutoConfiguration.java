package io.vtp.spring.boot.session;

import io.vtp.session.RedisSessionStore;
import io.vtp.session.SessionStore;
import io.vtp.spring.boot.VtpRedisAutoConfiguration;
import io.vtp.spring.boot.session.internal.JacksonAttributeCodec;
import io.vtp.spring.boot.session.internal.SessionUnavailableFilter;
import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.SessionRepository;
import org.springframework.session.web.http.CookieHttpSessionIdResolver;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.HttpSessionIdResolver;
import org.springframework.session.web.http.SessionRepositoryFilter;
import redis.clients.jedis.UnifiedJedis;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Session on {@code vtp-session}, the replacement for {@code spring-session-data-redis}: a
 * {@link VtpSessionRepository} on the starter's Redis client, Spring Session's {@link SessionRepositoryFilter}
 * (registered before Spring Security's filters), and a filter that answers {@code 503} with {@code Retry-After}
 * when Redis cannot answer a request that needs its session. On when {@code spring-session-core} is on the class
 * path of a servlet application, unless {@code vtp.session.enabled=false}; each bean backs off when the
 * application declares its own.
 *
 * <p>Cookie: a {@link CookieSerializer} or {@link HttpSessionIdResolver} bean is used when present (Spring Boot's
 * session module makes one from {@code server.servlet.session.cookie.*}); otherwise Spring Session's default
 * ({@code SESSION}, {@code HttpOnly}, {@code SameSite=Lax}, {@code Secure} over HTTPS).
 */
@AutoConfiguration(after = VtpRedisAutoConfiguration.class,
    beforeName = "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration")
@ConditionalOnClass({SessionRepository.class, SessionRepositoryFilter.class, JsonMapper.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "vtp.session", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(VtpSessionProperties.class)
public class VtpSessionAutoConfiguration {
  private static final Map<String, String> PROPERTIES = Map.of("name", "name", "keyPrefix", "key-prefix",
      "idleTimeout", "idle-timeout", "absoluteLifetime", "absolute-lifetime", "touchThreshold", "touch-threshold",
      "maxSessionsPerUser", "max-sessions-per-user", "maxAttributesBytes", "max-attributes-bytes", "idHashKey",
      "id-hash-key", "maxUpdateAttempts", "max-update-attempts");

  /** Creates the configuration; Spring calls it. */
  public VtpSessionAutoConfiguration() {
  }

  /**
   * The session store (also usable directly, e.g. {@code deleteAllForUser} to log a principal out everywhere).
   *
   * @param redis the starter's Redis client; never null
   * @param properties {@code vtp.session.*}; never null
   * @param clock the application's {@link Clock} bean, if any (else the system clock)
   * @return the store; never null
   * @throws IllegalStateException when a property breaks its rule; the message names the property and the rule
   */
  @Bean
  @ConditionalOnMissingBean
  public SessionStore vtpSessionStore(UnifiedJedis redis, VtpSessionProperties properties,
      ObjectProvider<Clock> clock) {
    String name = required(properties.getName(), "name");
    RedisSessionStore.Builder builder = RedisSessionStore.builder(redis)
        .name(name)
        .keyPrefix(required(properties.getKeyPrefix(), "key-prefix"))
        .idleTimeout(required(properties.getIdleTimeout(), "idle-timeout"))
        .absoluteLifetime(required(properties.getAbsoluteLifetime(), "absolute-lifetime"))
        .touchThreshold(required(properties.getTouchThreshold(), "touch-threshold"))
        .maxAttributesBytes(properties.getMaxAttributesBytes())
        .maxUpdateAttempts(properties.getMaxUpdateAttempts())
        .clock(clock.getIfAvailable(Clock::systemUTC));
    if (properties.getMaxSessionsPerUser() != null) {
      builder.maxSessionsPerUser(properties.getMaxSessionsPerUser());
    }
    if (properties.getIdHashKey() != null) {
      builder.idHashKey(properties.getIdHashKey().getBytes(StandardCharsets.UTF_8));
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(propertyOf(e.getMessage()) + ": " + e.getMessage(), e);
    }
  }

  /** Names the property whose builder field the store's message names (the field follows the store's label). */
  static String propertyOf(String message) {
    int label = message == null ? -1 : message.indexOf("': ");
    String rest = label < 0 ? "" : message.substring(label + 3);
    String field = rest.startsWith("previous ") ? "idHashKey" : rest.split("[ \\[]", 2)[0];
    String property = PROPERTIES.get(field);
    return "vtp.session." + (property == null ? "*" : property);
  }

  private static <T> T required(T value, String property) {
    if (value == null) {
      throw new IllegalStateException("vtp.session." + property + ": must be set");
    }
    return value;
  }

  /**
   * The attribute codec: Jackson 3 with Spring Security's modules and type allowlist (see
   * {@link JacksonAttributeCodec}), plus {@code vtp.session.json.allowed-types}.
   *
   * @param properties {@code vtp.session.*}; never null
   * @return the codec; never null
   * @throws IllegalStateException when an allowed type cannot be loaded (the message names the property)
   */
  @Bean
  @ConditionalOnMissingBean
  public SessionAttributeCodec sessionAttributeCodec(VtpSessionProperties properties) {
    ClassLoader loader = VtpSessionAutoConfiguration.class.getClassLoader();
    List<String> allowed = properties.getJson().getAllowedTypes();
    for (int i = 0; i < allowed.size(); i++) {
      String type = allowed.get(i);
      try {
        Class.forName(type, false, loader);
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        throw new IllegalStateException("vtp.session.json.allowed-types[" + i + "]: must name a class on the class"
            + " path (an exact name, no wildcard) but was '" + type + "'", e);
      }
    }
    return new JacksonAttributeCodec(loader, allowed);
  }

  /**
   * The Spring Session repository.
   *
   * @param store the session store; never null
   * @param codec the attribute codec; never null
   * @param properties {@code vtp.session.*}; never null
   * @param clock the application's {@link Clock} bean, if any
   * @return the repository; never null
   */
  @Bean
  @ConditionalOnMissingBean(SessionRepository.class)
  public VtpSessionRepository sessionRepository(SessionStore store, SessionAttributeCodec codec,
      VtpSessionProperties properties, ObjectProvider<Clock> clock) {
    return new VtpSessionRepository(store, codec, properties.getIdleTimeout(), clock.getIfAvailable(Clock::systemUTC));
  }

  /**
   * Spring Session's filter on the repository, with the application's id resolver or cookie serializer if it has
   * one.
   *
   * @param repository the session repository; never null
   * @param resolver an {@link HttpSessionIdResolver} bean, if any
   * @param cookies a {@link CookieSerializer} bean, if any
   * @return the filter; never null
   */
  @Bean
  @ConditionalOnMissingBean(SessionRepositoryFilter.class)
  public SessionRepositoryFilter<?> springSessionRepositoryFilter(SessionRepository<?> repository,
      ObjectProvider<HttpSessionIdResolver> resolver, ObjectProvider<CookieSerializer> cookies) {
    SessionRepositoryFilter<?> filter = new SessionRepositoryFilter<>(repository);
    HttpSessionIdResolver chosen = resolver.getIfAvailable(() -> {
      CookieHttpSessionIdResolver cookieResolver = new CookieHttpSessionIdResolver();
      cookies.ifAvailable(cookieResolver::setCookieSerializer);
      return cookieResolver;
    });
    filter.setHttpSessionIdResolver(chosen);
    return filter;
  }

  /**
   * The 503 filter, just outside Spring Session's filter; it also opens the repository's request scope. Only for
   * the starter's repository (an application's own repository keeps its own behaviour).
   *
   * @param repository the repository, when it is the starter's
   * @return its registration; never null
   */
  @Bean
  @ConditionalOnBean(VtpSessionRepository.class)
  public FilterRegistrationBean<SessionUnavailableFilter> vtpSessionUnavailableFilter(VtpSessionRepository repository) {
    FilterRegistrationBean<SessionUnavailableFilter> registration =
        new FilterRegistrationBean<>(new SessionUnavailableFilter(repository, 1));
    registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER - 1);
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    return registration;
  }

  /**
   * Registers Spring Session's filter when Spring Boot's session module (which would register it) is absent.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.boot.session.autoconfigure.SessionAutoConfiguration")
  static class FilterRegistration {

    /**
     * Registers the filter at Spring Session's order, for requests, async dispatches and error dispatches.
     *
     * @param filter the filter; never null
     * @return the registration; never null
     */
    @Bean
    @ConditionalOnMissingBean(name = "vtpSessionRepositoryFilterRegistration")
    FilterRegistrationBean<SessionRepositoryFilter<?>> vtpSessionRepositoryFilterRegistration(
        SessionRepositoryFilter<?> filter) {
      FilterRegistrationBean<SessionRepositoryFilter<?>> registration = new FilterRegistrationBean<>(filter);
      registration.setOrder(SessionRepositoryFilter.DEFAULT_ORDER);
      registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
      return registration;
    }
  }
}
