package io.qpart.onnx.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qpart.onnx.proto.Onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Loads ONNX files with checks that turn every unusable file into one clear line. */
public final class OnnxModels {
    /** Highest ONNX IR version this build reads (ONNX Runtime 1.29 runs up to 13). */
    public static final long MAX_IR_VERSION = 13;
    /** Refuse files larger than this: models are read into memory whole. */
    public static final long MAX_MODEL_BYTES = 1L << 31;

    private OnnxModels() {
    }

    /** Reads and validates a model file. */
    public static Onnx.Model read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_MODEL_BYTES) {
                throw new ModelException(file + ": model is " + size + " bytes; at most " + MAX_MODEL_BYTES + " bytes are supported");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such file");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses and validates model bytes; {@code what} names the source in messages. */
    public static Onnx.Model parse(byte[] bytes, String what) {
        if (bytes.length == 0) {
            throw new ModelException(what + ": empty file, expected an ONNX model");
        }
        Onnx.Model model;
        try {
            model = Onnx.Model.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException(what + ": not a readable ONNX model (protobuf decoding failed: "
                    + firstLine(e.getMessage()) + "); the file is truncated or not ONNX", e);
        }
        validate(model, what);
        return model;
    }

    static void validate(Onnx.Model model, String what) {
        if (!model.hasIrVersion() || model.getIrVersion() < 3) {
            throw new ModelException(what + ": not an ONNX model (expected an IR version between 3 and "
                    + MAX_IR_VERSION + ", found " + (model.hasIrVersion() ? model.getIrVersion() : "none") + ")");
        }
        if (model.getIrVersion() > MAX_IR_VERSION) {
            throw new ModelException(what + ": ONNX IR version " + model.getIrVersion()
                    + " is newer than the supported " + MAX_IR_VERSION + "; re-export with an older opset/IR");
        }
        if (!model.hasGraph() || (model.getGraph().getNodeCount() == 0 && !passThrough(model.getGraph()))) {
            throw new ModelException(what + ": not an ONNX model (expected a graph with nodes, found none)");
        }
        if (model.getOpsetImportCount() == 0) {
            throw new ModelException(what + ": ONNX model declares no opset (opset_import is empty)");
        }
        if (model.getGraph().getOutputCount() == 0) {
            throw new ModelException(what + ": ONNX graph has no outputs");
        }
        for (Onnx.Tensor t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == 1 || t.getExternalDataCount() > 0) {
                throw new ModelException(what + ": initializer '" + t.getName()
                        + "' keeps its data in an external file; save the model with all tensors inside the .onnx file");
            }
        }
        if (model.getGraph().getSparseInitializerCount() > 0) {
            throw new ModelException(what + ": sparse initializers are not supported (found "
                    + model.getGraph().getSparseInitializerCount() + ")");
        }
    }

    /** A graph without nodes whose outputs are its inputs: the empty half of a split at cut 0 or at full local. */
    private static boolean passThrough(Onnx.Graph g) {
        if (g.getOutputCount() == 0) {
            return false;
        }
        java.util.Set<String> inputs = new java.util.HashSet<>();
        g.getInputList().forEach(v -> inputs.add(v.getName()));
        return g.getOutputList().stream().allMatch(v -> inputs.contains(v.getName()));
    }

    /** SHA-256 of a model's serialized bytes, lowercase hex: the model hash used in provenance. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
