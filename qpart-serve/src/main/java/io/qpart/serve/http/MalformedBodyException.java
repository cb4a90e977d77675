package io.qpart.serve.http;

import java.io.IOException;

/** A request body whose framing is broken (a bad chunk size, a missing chunk terminator): the client is talking, but not HTTP. */
public final class MalformedBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedBodyException(String message) {
        super(message);
    }
}
