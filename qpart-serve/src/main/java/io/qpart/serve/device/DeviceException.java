package io.qpart.serve.device;

import java.io.IOException;

/** The server refused a request: its status and its one-line {@code error}. */
public final class DeviceException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public DeviceException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the answer itself was unusable. */
    public int status() {
        return status;
    }
}
