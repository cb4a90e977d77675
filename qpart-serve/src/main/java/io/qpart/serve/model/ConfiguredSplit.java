package io.qpart.serve.model;

import io.qpart.core.format.FormatException;
import io.qpart.core.wire.HeadContainer;
import io.qpart.onnx.graph.Cut;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.proto.Onnx;
import io.qpart.onnx.quant.ActivationQuantizer;
import io.qpart.onnx.quant.BitWidths;
import io.qpart.onnx.quant.HeadCodec;
import io.qpart.onnx.quant.WeightQuantizer;
import io.qpart.onnx.runtime.OnnxSession;
import io.qpart.onnx.runtime.Pipeline;

/**
 * A configured split (SPEC §2, §3): the head packed into its container and decoded again exactly
 * as a device decodes it, the float32 tail, and the payload in bytes.
 */
public record ConfiguredSplit(SplitModel split, HeadContainer container, Onnx.Model deviceHead, Payload payload) {

    /** What the device downloads and uploads for one request at a cut, in bytes, quantized and float32. */
    public record Payload(long downloadBytes, long fp32DownloadBytes, long uploadBytes, long fp32UploadBytes) {
    }

    /** Splits {@code m} at {@code c}, packs the head with {@code bits}; {@code container} is null for full offload. */
    public static ConfiguredSplit of(LoadedModel m, Cut c, BitWidths bits, int activationBits) {
        SplitModel s = SplitBuilder.split(m.analysis(), c);
        long[] up = HeadCodec.uploadBytes(c, m.analysis().profile(), activationBits);
        if (s.headIsEmpty()) {
            // full offload: nothing to download, the raw input is uploaded
            return new ConfiguredSplit(s, null, s.head(), new Payload(0, 0, up[0], up[1]));
        }
        HeadContainer container = HeadCodec.pack(s.head(), m.name(), m.sha256(), c, bits);
        Onnx.Model head;
        try {
            head = HeadCodec.unpack(HeadContainer.decode(container.encode()), false);
        } catch (FormatException e) {
            throw new IllegalStateException("a freshly packed head failed to decode: " + e.getMessage(), e);
        }
        return new ConfiguredSplit(s, container, head, new Payload(container.byteSize(), container.fp32ByteSize(), up[0], up[1]));
    }

    /** Device head, then the crossing tensors quantized per sample, then the float32 tail. */
    public Pipeline pipeline(int activationBits, int threads) {
        OnnxSession head = split.headIsEmpty() ? null : OnnxSession.create(deviceHead.toByteArray(), threads);
        OnnxSession tail = null;
        try {
            tail = split.tailIsEmpty() ? null : OnnxSession.create(split.tail().toByteArray(), threads);
        } finally {
            if (tail == null && !split.tailIsEmpty() && head != null) {
                head.close();
            }
        }
        return Pipeline.split(head, tail, split.crossing(), new ActivationQuantizer(activationBits));
    }

    /** The whole model with its weights quantized per {@code bits}, in one session. */
    public static Pipeline whole(LoadedModel m, BitWidths bits, int threads) {
        byte[] model = bits.bits().isEmpty() ? m.bytes() : WeightQuantizer.fakeQuantize(m.model(), bits).toByteArray();
        return Pipeline.whole(OnnxSession.create(model, threads));
    }
}
