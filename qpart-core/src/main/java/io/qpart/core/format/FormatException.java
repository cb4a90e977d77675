package io.qpart.core.format;

import java.util.Objects;

/**
 * A file, frame or message that cannot be decoded. The message is one line that says what was
 * expected and what was found; {@link #reason()} lets callers map it (for example to an HTTP
 * status) without parsing text.
 */
public final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the bytes were refused. */
    public enum Reason {
        /** Fewer bytes than the structure announces. */
        TRUNCATED,
        /** The leading magic number is not the expected one: not this kind of file. */
        BAD_MAGIC,
        /** A version this build cannot read. */
        UNSUPPORTED_VERSION,
        /** The stored checksum does not match the bytes. */
        CHECKSUM_MISMATCH,
        /** A field holds a value outside its allowed range, or fields contradict each other. */
        INVALID_FIELD,
        /** A structure or construct this build does not handle. */
        UNSUPPORTED,
        /** Bytes left over after the structure ended. */
        TRAILING_BYTES
    }

    private final Reason reason;

    public FormatException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public FormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
