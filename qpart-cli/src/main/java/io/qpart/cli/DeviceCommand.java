package io.qpart.cli;

import io.qpart.core.cost.ChannelProfile;
import io.qpart.core.cost.Profiles;
import io.qpart.core.data.Dataset;
import io.qpart.core.data.DatasetReader;
import io.qpart.core.format.FormatException;
import io.qpart.serve.device.Channel;
import io.qpart.serve.device.DeviceClient;
import io.qpart.serve.device.DeviceRun;
import io.qpart.serve.device.Plan;
import io.qpart.serve.device.PlanRequest;
import io.qpart.serve.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code qpart device}: one device running a data set through a server (docs/serving.md). */
@Command(name = "device", mixinStandardHelpOptions = true,
        description = {"Run a device against a qpart server: plan, download (or reuse) the head, run it, quantize and upload",
                "the activation, receive the class; per sample. With --emulate (default) the connection is paced to the",
                "channel profile's uplink and downlink rates, so measured transfer times can be compared with the model, both",
                "SPEC §5's (payload bytes) and the same applied to the bytes the connection carried (HTTP framing included)."})
final class DeviceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Common common;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, e.g. http://127.0.0.1:8080.")
    URI server;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "The model's name on the server.")
    String model;

    @Option(names = "--device", paramLabel = "PROFILE", description = "Device profile: iot, phone, jetson (default: ${DEFAULT-VALUE}).")
    String device = "phone";

    @Option(names = "--channel", paramLabel = "PROFILE", description = "Channel profile: nbiot, lte, wifi, 5g (default: ${DEFAULT-VALUE}).")
    String channel = "lte";

    @Option(names = "--accuracy-drop", required = true, paramLabel = "X", description = "Accuracy budget as a fraction (0.01 = one percentage point).")
    double accuracyDrop;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data: .npz (x, y), .npy or IDX.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "Labels for .npy or IDX data.")
    Path labels;

    @Option(names = "--samples", paramLabel = "N", description = "Use the first N samples.")
    Integer samples;

    @Option(names = "--emulate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Pace the connection to the channel's rates (default: on; --no-emulate: full speed).")
    boolean emulate;

    @Option(names = "--cut", paramLabel = "K", description = "Ask the server for cut K instead of its choice.")
    Integer cut;

    @Option(names = "--strategy", paramLabel = "NAME", description = "qpart (default) or a baseline (see 'qpart plan --help').")
    String strategy;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per request (default: ${DEFAULT-VALUE}, as a device sends them).")
    int batch = 1;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException, FormatException {
        try {
            return run();
        } catch (io.qpart.serve.device.DeviceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private int run() throws IOException, FormatException {
        ChannelProfile ch = Profiles.channel(channel);
        Profiles.device(device);
        if (samples != null && samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, was " + samples);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, was " + batch);
        }
        Dataset all = DatasetReader.read(data, labels);
        PlanRequest req = new PlanRequest(model, accuracyDrop, device, ch, cut == null ? -1 : cut, strategy);
        DeviceRun run;
        try (DeviceClient client = new DeviceClient(server, emulate ? Channel.emulate(ch) : Channel.none(), common.threads())) {
            DeviceClient.Prepared p;
            try {
                p = client.prepare(req);
            } catch (java.net.ConnectException e) {
                throw new IllegalArgumentException(server + ": no server answers there (" + e.getMessage() + ")");
            }
            Dataset ds = all.reshapedTo(p.plan().inputName(), p.plan().inputShape());
            if (samples != null) {
                ds = ds.first(Math.min(samples, ds.size()));
            }
            if (ds.size() == 0) {
                throw new IllegalArgumentException(data + ": the data set is empty; expected at least one sample");
            }
            run = DeviceRun.run(client, p, ds, batch);
        }
        print(run, ch);
        return 0;
    }

    private void print(DeviceRun run, ChannelProfile ch) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> o = run.toJson();
        if (json) {
            Map<String, Object> full = new java.util.LinkedHashMap<>();
            full.put("server", server.toString());
            full.put("device", device);
            full.put("channel", ch.name());
            full.put("uplinkBitsPerSecond", ch.uplinkBitsPerSecond());
            full.put("downlinkBitsPerSecond", ch.downlinkBitsPerSecond());
            full.putAll(o);
            out.println(Json.write(full));
            return;
        }
        Plan p = run.plan();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o.get("measured");
        @SuppressWarnings("unchecked")
        Map<String, Object> mo = (Map<String, Object>) o.get("modelled");
        out.printf("plan       %s: cut %d, activation %d bits, weights %s%s%n", p.strategy(), p.cut(), p.activationBits(), p.bits(),
                p.fallback() ? " (nothing met the budget: full offload)" : "");
        out.printf("channel    %s %s (uplink %.3g bit/s, downlink %.3g bit/s)%n", ch.name(), run.emulated() ? "emulated" : "not emulated",
                ch.uplinkBitsPerSecond(), ch.downlinkBitsPerSecond());
        out.printf("accuracy   %.4f (%d / %d)%n", run.accuracy(), run.correct(), run.samples());
        out.printf("payload    download %,d bytes%s, upload %,d bytes per sample%n", run.downloadBytes(),
                p.headId() == null ? " (nothing runs on the device)" : run.downloadBytes() == 0 ? " (head already held)" : "",
                run.samples() == 0 ? 0 : run.uploadBytes() / run.samples());
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) o.get("wire");
        boolean wire = run.emulated();
        out.printf("%-22s %12s %12s%s%n", "stage (seconds)", "measured", "modelled", wire ? "   modelled for the bytes on the wire" : "");
        out.printf("%-22s %12.6f %12s%n", "plan", (double) m.get("planSeconds"), "-");
        out.printf("%-22s %12.6f %12.6f%s%n", "download (once)", (double) m.get("downloadSeconds"), (double) mo.get("downloadSeconds"),
                wire ? String.format(java.util.Locale.ROOT, "   %12.6f (%,d bytes up, %,d down)", (double) w.get("modelledDownloadSeconds"),
                        (long) w.get("downloadRequestBytes"), (long) w.get("downloadBytes")) : "");
        out.printf("%-22s %12.6f %12.6f%n", "head (per sample)", (double) m.get("headSeconds"), (double) mo.get("deviceSeconds"));
        out.printf("%-22s %12.6f %12s%n", "quantize (per sample)", (double) m.get("quantizeSeconds"), "-");
        out.printf("%-22s %12.6f %12.6f%s%n", "upload (per sample)", (double) m.get("uploadSeconds"), (double) mo.get("uploadSeconds"),
                wire ? String.format(java.util.Locale.ROOT, "   %12.6f (%,d bytes)", (double) w.get("modelledUploadSeconds"), (long) w.get("uploadBytes")) : "");
        out.printf("%-22s %12.6f %12.6f%s%n", "server (per sample)", (double) m.get("serverSeconds"), (double) mo.get("serverSeconds"),
                wire ? String.format(java.util.Locale.ROOT, "   %12.6f (answer of %,d bytes, not in SPEC §5)", (double) w.get("modelledAnswerSeconds"),
                        (long) w.get("answerBytes")) : "");
        out.printf("%-22s %12.6f %12.6f%n", "total", (double) m.get("totalSeconds"), (double) mo.get("totalSeconds"));
    }
}
