package io.qpart.serve.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Paths, media types and limits of the HTTP API (docs/protocol.md, docs/openapi.yaml). */
public final class Api {
    public static final String PLAN = "/v1/plan";
    public static final String HEADS = "/v1/heads/";
    public static final String INFER = "/v1/infer";
    public static final String HEALTHZ = "/healthz";
    public static final String READYZ = "/readyz";
    public static final String METRICS = "/metrics";

    public static final String JSON = "application/json";
    /** A head container (QPHD v1, docs/formats.md). */
    public static final String HEAD_MEDIA_TYPE = "application/vnd.qpart.head";
    /** One or more activation frames (QPAF v1, docs/formats.md) back to back. */
    public static final String FRAME_MEDIA_TYPE = "application/vnd.qpart.frame";
    /** Prometheus text exposition format. */
    public static final String METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Heads never change under their id: any cache may keep them for a year. */
    public static final String HEAD_CACHE_CONTROL = "public, max-age=31536000, immutable";

    /** Plan request fields besides the query's own (docs/query.md). */
    public static final String FORCED_CUT_FIELD = "cut";
    public static final String STRATEGY_FIELD = "strategy";

    private static final Pattern HEAD_ID = Pattern.compile("[0-9a-f]{64}");

    private Api() {
    }

    /** Whether {@code id} looks like a head id: 64 lowercase hex digits (a SHA-256). */
    public static boolean isHeadId(String id) {
        return id != null && HEAD_ID.matcher(id).matches();
    }

    /** The path a device fetches a head from. */
    public static String headPath(String id) {
        if (!isHeadId(id)) {
            throw new IllegalArgumentException("a head id is 64 lowercase hex digits, found '" + id + "'");
        }
        return HEADS + id;
    }

    /**
     * The path of a head with what it is built from: any server of the same models can build and
     * serve it from this path alone, whether or not it has seen the head before. {@code bits} is
     * written as a JSON object with its names sorted, so the path of a head is always the same.
     */
    public static String headPath(String id, String model, int cut, Map<String, Integer> bits) {
        String b = new String(io.qpart.serve.json.Json.compact(new TreeMap<>(bits)), StandardCharsets.UTF_8);
        return headPath(id) + "?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "&cut=" + cut + "&bits="
                + URLEncoder.encode(b, StandardCharsets.UTF_8);
    }

    /** The path a device posts activation frames to for {@code model} split at {@code cut}. */
    public static String inferPath(String model, int cut) {
        if (cut < 0) {
            throw new IllegalArgumentException("cut must be >= 0, was " + cut);
        }
        return INFER + "?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "&cut=" + cut;
    }

    /** The strong entity tag of a head: its id in quotes. */
    public static String etag(String id) {
        return '"' + id + '"';
    }
}
