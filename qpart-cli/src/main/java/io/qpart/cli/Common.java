package io.qpart.cli;

import picocli.CommandLine.Option;

/** Options shared by commands that run models. */
final class Common {
    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime threads per session (default: every core, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    int threads() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
        }
        return threads;
    }
}
