/**
 * Shared pieces of the project's binary formats: the checked {@link io.qpart.core.format.FormatException}
 * with its reason enum. Sizes in this package are in bytes.
 */
package io.qpart.core.format;
