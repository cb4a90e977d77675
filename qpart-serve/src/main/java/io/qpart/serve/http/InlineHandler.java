package io.qpart.serve.http;

import java.util.List;

/**
 * Requests an {@link Http1Server}'s event loops answer themselves, without a thread per
 * request. A loop offers each request it holds whole (head and Content-Length body) to
 * {@link #claim}; the requests claimed while the loop's selector had them ready form one round,
 * which {@link #complete} answers at once (a handler may run them as one batch). Both run on the
 * loop's thread, so the loop reads nothing else meanwhile: claim must not block, and complete
 * should take no longer than one batch of work.
 */
public interface InlineHandler {
    /**
     * Takes a request or returns null to leave it to the server's {@link Http1Server.Handler} on a
     * thread of its own, with every byte as it arrived (so a request this method finds wrong is
     * best declined: the handler answers it with the error it would give any client).
     */
    InlineCall claim(String method, String rawPath, String rawQuery, byte[] body);

    /** Answers every call of a round ({@link InlineCall#answer}); a call left unanswered gets a 500. */
    void complete(List<InlineCall> calls);
}
