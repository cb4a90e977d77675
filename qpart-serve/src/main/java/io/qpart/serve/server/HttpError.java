package io.qpart.serve.server;

/** A request that ends with an HTTP error status and a one-line message, sent as {@code {"error": "..."}}. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, was " + status);
        }
        this.status = status;
    }

    int status() {
        return status;
    }
}
