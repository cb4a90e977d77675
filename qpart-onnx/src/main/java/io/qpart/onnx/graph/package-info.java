/**
 * Graph analysis of ONNX models (SPEC §2): topological order, the split between activations
 * and shape-only values, shape profiling, cut enumeration with MACs and weights per cut, and
 * extraction of standalone head and tail models. MACs and element counts are per sample.
 */
package io.qpart.onnx.graph;
