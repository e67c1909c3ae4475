package com.example.boot;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A public, rate-limited, cached read: the starter's filter limits {@code /public/products/**} per client address
 * (or per user when logged in) across all instances, and the catalog behind it is cached in Redis.
 */
@RestController
class ProductController {
  private final ProductCatalog catalog;

  ProductController(ProductCatalog catalog) {
    this.catalog = catalog;
  }

  @GetMapping("/public/products/{id}")
  Product product(@PathVariable("id") String id) {
    return catalog.find(id);
  }
}
