package io.qpart.serve.server;

import io.qpart.core.table.PlanIndex;
import io.qpart.core.table.PlanTable;
import io.qpart.onnx.graph.SplitBuilder;
import io.qpart.onnx.graph.SplitModel;
import io.qpart.onnx.graph.ValueProfile;
import io.qpart.serve.model.LoadedModel;
import io.qpart.serve.protocol.CrossingTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** A model the server serves: loaded, with its verified table and the table's lookup index; splits are made once per cut. */
public final class ServedModel {
    private final LoadedModel model;
    private final PlanTable table;
    private final PlanIndex index;
    private final ConcurrentHashMap<Integer, SplitModel> splits = new ConcurrentHashMap<>();

    public ServedModel(LoadedModel model, PlanTable table) {
        this.model = Objects.requireNonNull(model, "model");
        this.table = Objects.requireNonNull(table, "table");
        if (!model.sha256().equals(table.modelSha256())) {
            throw new IllegalArgumentException(model.file() + ": its table was built from another model (sha256 "
                    + table.modelSha256().substring(0, 12) + "..., this file has " + model.sha256().substring(0, 12) + "...)");
        }
        int cuts = model.analysis().cuts().size();
        if (table.cuts().size() != cuts) {
            throw new IllegalArgumentException(model.file() + ": the table has " + table.cuts().size() + " cuts, the model " + cuts);
        }
        this.index = new PlanIndex(table);
    }

    public String name() {
        return model.name();
    }

    public LoadedModel model() {
        return model;
    }

    public PlanTable table() {
        return table;
    }

    public PlanIndex index() {
        return index;
    }

    public int cutCount() {
        return table.cuts().size();
    }

    /** The model split at {@code cut} (computed once). */
    public SplitModel split(int cut) {
        requireCut(cut);
        return splits.computeIfAbsent(cut, k -> SplitBuilder.split(model.analysis(), model.analysis().cut(k)));
    }

    /** The tensors one request carries at {@code cut}, at batch 1. */
    public List<CrossingTensor> crossing(int cut) {
        requireCut(cut);
        List<CrossingTensor> out = new ArrayList<>();
        for (String name : model.analysis().cut(cut).tensors()) {
            ValueProfile vp = model.analysis().profile().get(name);
            out.add(new CrossingTensor(name, vp.shape()));
        }
        return out;
    }

    /** Whether every crossing tensor at {@code cut} is float32 with the batch as its leading dimension. */
    public boolean batchable(int cut) {
        for (String name : model.analysis().cut(cut).tensors()) {
            ValueProfile vp = model.analysis().profile().get(name);
            if (!vp.batchLeading() || vp.type() != ai.onnxruntime.OnnxJavaType.FLOAT) {
                return false;
            }
        }
        return true;
    }

    void requireCut(int cut) {
        if (cut < 0 || cut >= cutCount()) {
            throw new HttpError(400, "cut " + cut + " is out of range: model '" + name() + "' has cuts 0.." + (cutCount() - 1));
        }
    }
}
