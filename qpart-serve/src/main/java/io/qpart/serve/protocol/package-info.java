/**
 * What server and device agree on (docs/protocol.md): the paths and media types of the HTTP API,
 * the tensors a request carries at a cut, and request bodies of several activation frames back
 * to back. Sizes are bytes; shapes list the batch dimension first.
 */
package io.qpart.serve.protocol;
