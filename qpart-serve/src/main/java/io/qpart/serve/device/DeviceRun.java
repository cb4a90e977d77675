package io.qpart.serve.device;

import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.data.Dataset;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One device running a labelled data set through the server: plan once, hold the head, then
 * every sample (or batch of samples) head, quantize, upload, answer. Measured times sit next to
 * the plan's modelled ones (SPEC §5).
 *
 * @param predictions     the class of every sample, in order
 * @param headNanos       summed over the samples, as are the quantize, upload and server times
 * @param uploadBytes     frame bytes sent, all samples together
 * @param uploadWireBytes the requests as sent (request lines, headers, frames), all samples together
 * @param answerWireBytes the answers as received, all samples together
 * @param downloadWireBytes the head's answer as received (status line, headers, container), 0 when the head was held
 * @param downloadRequestWireBytes the head's request as sent, 0 when the head was held
 * @param channel         the emulated channel, or null
 */
public record DeviceRun(Plan plan, int samples, int correct, int[] predictions, long planNanos, long downloadNanos,
                        long downloadBytes, long headNanos, long quantizeNanos, long uploadNanos, long serverNanos, long uploadBytes,
                        long totalNanos, long uploadWireBytes, long answerWireBytes, long downloadWireBytes, long downloadRequestWireBytes,
                        ChannelProfile channel) {
    public DeviceRun {
        Objects.requireNonNull(plan, "plan");
        predictions = predictions.clone();
    }

    @Override
    public int[] predictions() {
        return predictions.clone();
    }

    /**
     * Runs {@code data} through {@code client} under {@code request}, {@code batch} samples per
     * request (1 is what a device does; more only amortises the connection).
     */
    public static DeviceRun run(DeviceClient client, PlanRequest request, Dataset data, int batch) throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        long t0 = System.nanoTime();
        return run(client, client.prepare(request), data, batch, t0);
    }

    /** As {@link #run(DeviceClient, PlanRequest, Dataset, int)} for a plan already prepared (its plan and download times count). */
    public static DeviceRun run(DeviceClient client, DeviceClient.Prepared prepared, Dataset data, int batch) throws IOException {
        return run(client, prepared, data, batch, System.nanoTime() - prepared.planNanos() - prepared.downloadNanos());
    }

    private static DeviceRun run(DeviceClient client, DeviceClient.Prepared p, Dataset data, int batch, long t0) throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        int n = data.size();
        int[] pred = new int[n];
        int correct = 0;
        long head = 0;
        long quant = 0;
        long up = 0;
        long server = 0;
        long upBytes = 0;
        long upWire = 0;
        long answerWire = 0;
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            float[] x = new float[(to - from) * data.valuesPerSample()];
            data.copyInputs(from, to, x, 0);
            DeviceClient.Inference r = client.infer(p, x, to - from);
            int[] cls = r.classes();
            for (int i = from; i < to; i++) {
                pred[i] = cls[i - from];
                if (pred[i] == data.label(i)) {
                    correct++;
                }
            }
            head += r.headNanos();
            quant += r.quantizeNanos();
            up += r.uploadNanos();
            server += r.serverNanos();
            upBytes += r.uploadBytes();
            upWire += r.uploadWireBytes();
            answerWire += r.answerWireBytes();
        }
        return new DeviceRun(p.plan(), n, correct, pred, p.planNanos(), p.downloadNanos(), p.downloadedBytes(),
                head, quant, up, server, upBytes, System.nanoTime() - t0, upWire, answerWire, p.downloadWireBytes(), p.downloadRequestWireBytes(),
                client.channel().profile());
    }

    /** Whether the connection was paced to a channel profile. */
    public boolean emulated() {
        return channel != null;
    }

    /**
     * SPEC §5's upload time per sample applied to the bytes each request put on the wire (HTTP
     * request line and headers included): what the emulated channel paces. NaN without emulation
     * or samples.
     */
    public double wireModelledUploadSeconds() {
        return channel == null || samples == 0 ? Double.NaN : 8.0 * uploadWireBytes / samples / channel.uplinkBitsPerSecond();
    }

    public double accuracy() {
        return samples == 0 ? 0 : correct / (double) samples;
    }

    /**
     * The report: configuration, accuracy, bytes, and per stage the measured seconds (download
     * and plan once; the rest per sample, averaged) next to the modelled seconds.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", plan.model());
        o.put("strategy", plan.strategy());
        o.put("emulated", emulated());
        o.put("samples", samples);
        o.put("correct", correct);
        o.put("accuracy", accuracy());
        o.put("cut", plan.cut());
        o.put("bits", plan.bits());
        o.put("activationBits", plan.activationBits());
        o.put("headId", plan.headId());
        o.put("headHeld", plan.headHeld() || (plan.headId() != null && downloadBytes == 0));
        o.put("downloadBytes", downloadBytes);
        o.put("uploadBytes", samples == 0 ? 0 : uploadBytes / samples);
        o.put("totalUploadBytes", uploadBytes);
        o.put("fallback", plan.fallback());
        o.put("predictedDrop", plan.predictedDrop());
        double per = Math.max(1, samples);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("planSeconds", planNanos / 1e9);
        m.put("downloadSeconds", downloadNanos / 1e9);
        m.put("headSeconds", headNanos / 1e9 / per);
        m.put("quantizeSeconds", quantNanosPerSample(per));
        m.put("uploadSeconds", uploadNanos / 1e9 / per);
        m.put("serverSeconds", serverNanos / 1e9 / per);
        m.put("uploadAndServerSeconds", (uploadNanos + serverNanos) / 1e9 / per);
        m.put("totalSeconds", totalNanos / 1e9);
        o.put("measured", m);
        Plan.Stages s = plan.modelled();
        Map<String, Object> mo = new LinkedHashMap<>();
        mo.put("downloadSeconds", plan.headHeld() ? 0.0 : s.downloadSeconds());
        mo.put("deviceSeconds", s.deviceSeconds());
        mo.put("uploadSeconds", s.uploadSeconds());
        mo.put("serverSeconds", s.serverSeconds());
        mo.put("totalSeconds", (plan.headHeld() ? 0.0 : s.downloadSeconds()) + samples * (s.deviceSeconds() + s.uploadSeconds() + s.serverSeconds()));
        o.put("modelled", mo);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("uploadBytes", samples == 0 ? 0 : uploadWireBytes / samples);
        w.put("answerBytes", samples == 0 ? 0 : answerWireBytes / samples);
        w.put("downloadBytes", downloadWireBytes);
        w.put("downloadRequestBytes", downloadRequestWireBytes);
        if (channel != null) {
            // SPEC §5's transfer times applied to what the connection carries (HTTP framing included),
            // which is what the emulated channel paces: the check of the emulation itself
            w.put("modelledUploadSeconds", samples == 0 ? 0.0 : wireModelledUploadSeconds());
            w.put("modelledAnswerSeconds", samples == 0 ? 0.0 : 8.0 * answerWireBytes / samples / channel.downlinkBitsPerSecond());
            w.put("modelledDownloadSeconds", 8.0 * downloadRequestWireBytes / channel.uplinkBitsPerSecond()
                    + 8.0 * downloadWireBytes / channel.downlinkBitsPerSecond());
        }
        o.put("wire", w);
        return o;
    }

    private double quantNanosPerSample(double per) {
        return quantizeNanos / 1e9 / per;
    }
}
