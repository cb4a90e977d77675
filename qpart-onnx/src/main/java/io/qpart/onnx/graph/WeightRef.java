package io.qpart.onnx.graph;

import java.util.Objects;

/**
 * A quantizable weight tensor (SPEC §3): the initializer at input position 1 of a Conv,
 * ConvTranspose, Gemm or MatMul node.
 *
 * @param name     initializer name
 * @param op       operator of its first consumer
 * @param params   element count {@code s_j}
 * @param position activation position of its first consumer (it is in the head of every cut after it)
 */
public record WeightRef(String name, String op, long params, int position) {
    public WeightRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        if (params < 0) {
            throw new IllegalArgumentException("weight element count must be >= 0, was " + params);
        }
    }
}
