/**
 * Implementation of the Redis session store; not an API, may change without notice.
 */
package io.vtp.session.internal;
