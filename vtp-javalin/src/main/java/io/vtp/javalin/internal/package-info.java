/** Implementation details of the Javalin plugins; not an API, may change in any release. */
package io.vtp.javalin.internal;
