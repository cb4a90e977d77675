package io.qpart.cli;

import io.qpart.serve.server.ModelCatalog;
import io.qpart.serve.server.QpartServer;
import io.qpart.serve.server.ServedModel;
import io.qpart.serve.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code qpart serve}: the split-inference server (docs/protocol.md). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve every NAME.onnx of a folder that has its NAME.qpt table: plans, head containers, tail inference.",
                "Prints 'listening on http://HOST:PORT' as its first line (port 0: a free one), then serves until stopped.",
                "API: POST /v1/plan, GET /v1/heads/{id}, POST /v1/infer?model=M&cut=K, GET /healthz, /readyz, /metrics (docs/protocol.md)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--models", required = true, paramLabel = "DIR", description = "Folder of NAME.onnx models with NAME.qpt tables.")
    Path models;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--cache-bytes", paramLabel = "N", description = "Bound of the head cache in bytes (default: ${DEFAULT-VALUE}).")
    long cacheBytes = ServerConfig.DEFAULT_HEAD_CACHE_BYTES;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body accepted (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes = ServerConfig.DEFAULT_MAX_BODY_BYTES;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Per-request time limit; slower requests get 504 (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds = ServerConfig.DEFAULT_REQUEST_TIMEOUT.toSeconds();

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads of each tail run; each (model, cut) runs one batch per core at once besides (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--event-loops", paramLabel = "N", description = "Event loops carrying the connections; each answers the /v1/infer requests ready at once with one tail run per (model, cut). 0: a virtual thread per connection and tail threads of their own instead (default: one per processor, ${DEFAULT-VALUE} here).")
    int eventLoops = ServerConfig.defaultEventLoops();

    /** Counted down to stop a server started from a test. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("--timeout must be > 0 seconds, was " + timeoutSeconds);
        }
        ServerConfig config = new ServerConfig(host, port, cacheBytes, maxBodyBytes, Duration.ofNanos((long) (timeoutSeconds * 1e9)), threads, eventLoops);
        PrintWriter err = spec.commandLine().getErr();
        List<ServedModel> served = ModelCatalog.load(models, threads, line -> {
            err.println("qpart serve: " + line);
            err.flush();
        });
        QpartServer server;
        try {
            server = QpartServer.start(served, config);
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
        Thread hook = new Thread(server::close, "qpart-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (server) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("listening on " + server.uri());
            out.flush();
            err.println("qpart serve: models " + served.stream().map(ServedModel::name).toList() + "; head cache " + cacheBytes + " bytes");
            err.flush();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopped by whoever started the command
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook closes the server
            }
        }
        return 0;
    }
}
