/**
 * The device runtime (docs/protocol.md, docs/serving.md): a client that plans with the server,
 * downloads a head only when it does not hold it, runs the head with ONNX Runtime, quantizes the
 * crossing tensors into an activation frame (SPEC §3) and uploads it, timing every stage; and
 * channel emulation, a token bucket that paces the device's own connection to a channel
 * profile's uplink and downlink rates in bits per second. Times are nanos where a name says so,
 * seconds otherwise.
 */
package io.qpart.serve.device;
