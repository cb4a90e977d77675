package io.qpart.serve;

import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.format.FormatException;
import io.qpart.serve.json.TableCodec;
import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.server.QpartServer;
import io.qpart.serve.server.ServedModel;
import io.qpart.serve.server.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Bundled models, tables and test data, loaded once per test JVM. */
public final class Fixtures {
    public static final Path MODELS = Path.of("..", "models");
    public static final Path DATA = Path.of("..", "data", "mnist-test.npz");
    private static final Map<String, ServedModel> SERVED = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** A bundled model with its bundled table. */
    public static ServedModel served(String name) {
        return SERVED.computeIfAbsent(name, n -> new ServedModel(LoadedModel.load(MODELS.resolve(n + ".onnx"), 1),
                TableCodec.read(MODELS.resolve(n + ".qpt"))));
    }

    /** A server on loopback (port 0) with the bundled mlp and cnn, ready to serve. */
    public static QpartServer mlpAndCnnServer() throws Exception {
        return mlpAndCnnServer(ServerConfig.loopback());
    }

    public static QpartServer mlpAndCnnServer(ServerConfig config) throws Exception {
        QpartServer server = QpartServer.start(List.of(served("mlp"), served("cnn")), config);
        if (!server.awaitReady(60, TimeUnit.SECONDS)) {
            server.close();
            throw new IllegalStateException("the test server did not become ready within 60 s");
        }
        return server;
    }

    /** The first {@code n} test samples shaped for {@code m}'s input. */
    public static Dataset data(LoadedModel m, int n) {
        try {
            String input = m.singleInput();
            return DatasetReader.read(DATA, null).reshapedTo(input, m.inputShape(input)).first(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (FormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
