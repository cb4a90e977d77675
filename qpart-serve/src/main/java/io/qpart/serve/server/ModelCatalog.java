package io.qpart.serve.server;

import io.qpart.core.format.Messages;
import io.qpart.core.table.PlanTable;
import io.qpart.onnx.model.ModelException;
import io.qpart.serve.json.TableCodec;
import io.qpart.serve.model.LoadedModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Finds the models a server serves: every {@code NAME.onnx} in a folder that has a usable {@code NAME.qpt} next to it. */
public final class ModelCatalog {
    private ModelCatalog() {
    }

    /**
     * Loads every model of {@code dir} with its table. A model without a usable table (missing,
     * unreadable, built from another model) is reported through {@code skipped} in one line and
     * left out.
     *
     * @throws IllegalArgumentException when {@code dir} is not a folder or no model is usable
     */
    public static List<ServedModel> load(Path dir, int threads, Consumer<String> skipped) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": expected a folder of NAME.onnx models with NAME.qpt tables, found "
                    + (Files.exists(dir) ? "a file" : "nothing"));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".onnx") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot list: " + e.getMessage());
        }
        List<ServedModel> out = new ArrayList<>();
        for (Path f : files) {
            String name = LoadedModel.nameOf(f);
            Path table = f.resolveSibling(name + ".qpt");
            if (!Files.isRegularFile(table)) {
                skipped.accept(f + ": skipped: no table " + table.getFileName() + " next to it (build one with qpart table)");
                continue;
            }
            try {
                PlanTable t = TableCodec.read(table);
                if (!t.modelName().equals(name)) {
                    skipped.accept(f + ": skipped: " + table.getFileName() + " is the table of model '" + t.modelName() + "'");
                    continue;
                }
                out.add(new ServedModel(LoadedModel.load(f, threads), t));
            } catch (IllegalArgumentException | ModelException | java.io.UncheckedIOException e) {
                skipped.accept(f + ": skipped: " + Messages.oneLine(e.getMessage()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no model to serve; expected NAME.onnx files each with a NAME.qpt table built from it, found "
                    + files.size() + " model file(s)");
        }
        return out;
    }
}
