package io.qpart.serve.http;

import java.util.Map;
import java.util.Objects;

/** One request an {@link InlineHandler} claimed, and its answer once {@link InlineHandler#complete} gave it. */
public abstract class InlineCall {
    private int status;
    private String contentType;
    private Map<String, String> headers = Map.of();
    private byte[] content;

    /** Sets the answer; the event loop writes it after the round. A second answer is ignored. */
    public final void answer(int status, String contentType, Map<String, String> headers, byte[] content) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a final status is 200..599, was " + status);
        }
        if (this.content != null) {
            return;
        }
        this.status = status;
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.headers = Map.copyOf(headers);
        this.content = Objects.requireNonNull(content, "content");
    }

    public final boolean answered() {
        return content != null;
    }

    /**
     * Called once on the loop's thread after the answer went out ({@code status} and the body
     * bytes written) or could not (499 and 0: the client left).
     */
    protected void written(int status, long bodyBytes) {
    }

    final int status() {
        return status;
    }

    final String contentType() {
        return contentType;
    }

    final Map<String, String> headers() {
        return headers;
    }

    final byte[] content() {
        return content;
    }
}
