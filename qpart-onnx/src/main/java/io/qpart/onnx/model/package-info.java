/**
 * Reading, validating and writing ONNX models (the generated schema classes live in
 * {@code io.qpart.onnx.proto} and never leave this module), and turning initializers into
 * float arrays and back. Sizes are in bytes, tensor sizes in elements.
 */
package io.qpart.onnx.model;
