package com.example.catalog;

/**
 * A product of the catalogue.
 *
 * @param id the database id
 * @param name the display name
 */
public record Product(long id, String name) {}
