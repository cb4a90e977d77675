/**
 * A small HTTP/1.1 server for the split-inference API: one virtual thread per connection,
 * persistent connections, Content-Length and chunked request bodies, {@code Expect: 100-continue},
 * bounded request heads, idle and read timeouts, and every answer written with one socket write
 * where it fits. It exists because one sample per request makes the per-request cost of the HTTP
 * layer the server's main cost for small models (docs/BENCHMARKS.md, "Serving"); it implements
 * the part of RFC 9112 that the API uses and answers the rest with a clear error.
 */
package io.qpart.serve.http;
