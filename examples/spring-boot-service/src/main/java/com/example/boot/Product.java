package com.example.boot;

/**
 * A product as the catalog loads it; cached in Redis as JSON and read back as exactly this type.
 *
 * @param id the product id
 * @param name the product's name
 * @param load which load of the catalog produced it (1 for the first), so a test can see the cache at work
 */
public record Product(String id, String name, int load) {}
