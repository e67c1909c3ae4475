package io.vtp.spring.boot.cache.internal;

import java.util.Collection;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Strict mode: once every singleton exists, checks that each caching annotation served by the default cache
 * manager names a configured cache, so a typo fails the start-up instead of a request. Annotations that name their
 * own {@code cacheManager} or {@code cacheResolver} are left alone.
 */
public final class CacheNameCheck implements SmartInitializingSingleton {
  private final ConfigurableListableBeanFactory beans;
  private final ObjectProvider<CacheOperationSource> source;
  private final Set<String> configured;

  /**
   * Creates the check.
   *
   * @param beans the bean factory; not null
   * @param source Spring's cache operation source (present with {@code @EnableCaching}); not null
   * @param configured the configured cache names; not null
   */
  public CacheNameCheck(ConfigurableListableBeanFactory beans, ObjectProvider<CacheOperationSource> source,
      Set<String> configured) {
    this.beans = beans;
    this.source = source;
    this.configured = Set.copyOf(configured);
  }

  @Override
  public void afterSingletonsInstantiated() {
    CacheOperationSource ops = source.getIfAvailable();
    if (ops == null) {
      return;
    }
    for (String bean : beans.getBeanDefinitionNames()) {
      Class<?> type = beans.getType(bean, false);
      if (type == null) {
        continue;
      }
      Class<?> user = ClassUtils.getUserClass(type);
      if (!ops.isCandidateClass(user)) {
        continue;
      }
      ReflectionUtils.doWithMethods(user, method -> {
        Collection<CacheOperation> found = ops.getCacheOperations(method, user);
        if (found == null) {
          return;
        }
        for (CacheOperation op : found) {
          if (!op.getCacheManager().isEmpty() || !op.getCacheResolver().isEmpty()) {
            continue;
          }
          for (String name : op.getCacheNames()) {
            if (!configured.contains(name)) {
              throw new IllegalStateException("vtp.cache.caches." + name + ": not configured, but "
                  + user.getName() + "." + method.getName() + " uses cache '" + name + "' (strict mode: every cache "
                  + "name must be configured; add vtp.cache.caches." + name + ".type=<value type>, or set "
                  + "vtp.cache.strict=false)");
            }
          }
        }
      }, ReflectionUtils.USER_DECLARED_METHODS);
    }
  }
}
