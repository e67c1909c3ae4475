package io.vtp.spring.boot.cache;

/** A cached value, stored as JSON and read back as exactly this type. */
public record Item(String id, int version) {}
