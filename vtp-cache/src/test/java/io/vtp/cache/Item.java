package io.vtp.cache;

/** A small cached value for tests. */
record Item(String name, int n) {}
