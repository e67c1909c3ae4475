package com.example.boot;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.stereotype.Service;

/**
 * The expensive read (a database query in a real service) behind {@code GET /public/products/{id}}. The cache is the
 * starter's: {@code sync = true} makes concurrent misses on any instance share one load (Spring's own {@code sync}
 * would lock one JVM only); its TTL and value type are in {@code application.properties}.
 */
@Service
@EnableCaching
public class ProductCatalog {
  private final AtomicInteger loads = new AtomicInteger();

  /**
   * Loads a product.
   *
   * @param id the product id
   * @return the product
   */
  @Cacheable(cacheNames = "products", sync = true)
  public Product find(String id) {
    return new Product(id, "Product " + id, loads.incrementAndGet());
  }
}
