package io.vtp.bench.springpeer;

import java.io.Serializable;

/**
 * A row of the app's {@code course} table. Serializable because Boot's {@code RedisCacheManager} stores values with
 * JDK serialization unless told otherwise, and the peer keeps Boot's defaults.
 *
 * @param id the id
 * @param title the title
 * @param description the description
 * @param instructorId the teacher's user id
 * @param version the optimistic-locking version
 */
public record Course(long id, String title, String description, long instructorId, long version)
    implements Serializable {}
