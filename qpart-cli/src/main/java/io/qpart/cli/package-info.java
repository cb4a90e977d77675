/**
 * The {@code qpart} command line: one picocli command class per sub-command, wiring apart from
 * {@link io.qpart.cli.Main}. Errors reach the user as one line on stderr and a non-zero exit
 * status; {@code --verbose} adds the stack trace.
 */
package io.qpart.cli;
