package io.qpart.serve.model;

import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ModelGraph;
import io.qpart.onnx.graph.ShapeProfile;
import io.qpart.onnx.model.ModelException;
import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A model file read, analysed and profiled: what every command starts from. */
public record LoadedModel(Path file, byte[] bytes, Onnx.Model model, CutAnalysis analysis, String sha256) {

    public static LoadedModel load(Path file, int threads) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new ModelException(file + ": is a directory, expected an .onnx file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such file");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
        Onnx.Model model = OnnxModels.parse(bytes, file.toString());
        ModelGraph graph = ModelGraph.of(model);
        CutAnalysis analysis = CutAnalysis.of(graph, ShapeProfile.measure(graph, threads));
        return new LoadedModel(file, bytes, model, analysis, OnnxModels.sha256(bytes));
    }

    /** The model's file name without {@code .onnx}: the name queries use. */
    public String name() {
        return nameOf(file);
    }

    /** {@code file}'s name without {@code .onnx}. */
    public static String nameOf(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    public ModelGraph graph() {
        return analysis.graph();
    }

    /** The single data input; models with several inputs are refused where data is fed. */
    public String singleInput() {
        if (graph().inputs().size() != 1) {
            throw new ModelException(file + ": expected a model with one data input to feed from a data file, found "
                    + graph().inputs().size() + " " + graph().inputs());
        }
        return graph().inputs().get(0);
    }

    /** Declared shape of an input, -1 where dynamic. */
    public long[] inputShape(String name) {
        for (Onnx.ValueInfo vi : model.getGraph().getInputList()) {
            if (vi.getName().equals(name)) {
                Onnx.Shape s = vi.getType().getTensorType().getShape();
                long[] shape = new long[s.getDimCount()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
                }
                return shape;
            }
        }
        throw new ModelException(file + ": input '" + name + "' is not declared");
    }
}
