package io.qpart.onnx.testing;

import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.onnx.graph.CutAnalysis;
import io.qpart.onnx.graph.ModelGraph;
import io.qpart.onnx.graph.ShapeProfile;
import io.qpart.onnx.model.OnnxModels;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.runtime.HostTensor;

import java.nio.file.Path;

/** A bundled model (models/NAME.onnx) analysed, with the first test digits shaped for its input. */
public record BundledModel(Onnx.Model model, CutAnalysis analysis, String input, Dataset digits) {
    /** The repository root, seen from a module's folder. */
    public static final Path ROOT = Path.of("..");

    public static BundledModel load(String name, int samples) throws Exception {
        Onnx.Model model = OnnxModels.read(ROOT.resolve("models").resolve(name + ".onnx"));
        ModelGraph graph = ModelGraph.of(model);
        CutAnalysis analysis = CutAnalysis.of(graph, ShapeProfile.measure(graph, 2));
        String input = graph.inputs().get(0);
        Onnx.Shape declared = model.getGraph().getInput(0).getType().getTensorType().getShape();
        long[] inputShape = new long[declared.getDimCount()];
        for (int i = 0; i < inputShape.length; i++) {
            inputShape[i] = declared.getDim(i).hasDimValue() ? declared.getDim(i).getDimValue() : -1;
        }
        Dataset ds = DatasetReader.read(ROOT.resolve("data/mnist-test.npz"), null).first(samples).reshapedTo(input, inputShape);
        return new BundledModel(model, analysis, input, ds);
    }

    /** The digits as one batch. */
    public HostTensor batch() {
        return HostTensor.ofFloats(digits.batchShape(digits.size()), digits.inputs());
    }
}
