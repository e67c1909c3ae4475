/**
 * Implementation of the Spring Session backend; not an API, may change without notice.
 */
package io.vtp.spring.boot.session.internal;
