/**
 * The split-inference server (docs/protocol.md, docs/serving.md): plans a query from a model's
 * table (SPEC §7), serves quantized head containers from a cache bounded in bytes, runs float32
 * tails on uploaded activation frames, and exposes health, readiness and Prometheus metrics.
 * It keeps no per-device state between requests beyond caches. Sizes are bytes, times seconds
 * unless a name says nanos.
 */
package io.qpart.serve.server;
