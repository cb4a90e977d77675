package io.qpart.serve.http;

/** A request the HTTP layer refuses before any handler sees it: the status to answer and why. */
final class HttpProblem extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
