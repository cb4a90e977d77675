package io.qpart.serve;

import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.format.FormatException;
import io.qpart.serve.json.TableCodec;
import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.server.ServedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
