/**
 * Micrometer metrics for session stores (needs {@code io.micrometer:micrometer-core} on the class path).
 */
package io.vtp.session.micrometer;
