#!/usr/bin/env python3
"""Train the bundled MNIST models and export them to ONNX.

Needs Debian's python3-torch (1.13) and python3-onnx (1.12), and the data made
by tools/make_mnist_data.py.  Run from the repository root:

    /usr/bin/python3 tools/train_models.py            # all models
    /usr/bin/python3 tools/train_models.py cnn vit    # only some

For every model NAME this writes models/NAME.onnx and a card models/NAME.md,
and finally rewrites models/README.md from all cards' numbers (models not
retrained in this run keep the numbers recorded in models/summary.json).

Every exported file is checked with onnx.checker and onnx shape inference,
then run by the small numpy interpreter in tools/onnx_numpy_eval.py on the
whole test set at two batch sizes; its logits are compared with torch's and
its predictions give the accuracy recorded on the card.  The MAC counts are
taken from that run too (Conv, Gemm and MatMul nodes at batch size 1).
"""

import collections
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_numpy_eval  # noqa: E402

SEED = 20261127
# One intra-op thread: results then do not depend on how work is split
# between threads, and training stays fast when other jobs share the cores
# (with two OpenMP threads on a busy two-core machine, steps were measured to
# be up to 100 times slower).
THREADS = 1
BATCH = 128
OPSET = 17
DATA_DIR = "data"
MODEL_DIR = "models"


# --------------------------------------------------------------------------
# models

# When true, Dense layers compute through a 1x1 convolution instead of a
# matrix product.  The result is the same, but on a torch build whose matrix
# products go through a generic BLAS the convolution path (oneDNN) is several
# times faster, which keeps training within minutes on two cores.  It is
# switched off before the final evaluation and the export, so the exported
# graphs contain ordinary Gemm / MatMul nodes.
FAST_DENSE = True


class Dense(nn.Linear):
    """nn.Linear with the optional 1x1-convolution compute path above."""

    def forward(self, x):
        if not FAST_DENSE or torch.onnx.is_in_onnx_export():
            return F.linear(x, self.weight, self.bias)
        lead = x.shape[:-1]
        y = F.conv2d(x.reshape(-1, self.in_features, 1, 1),
                     self.weight.view(self.out_features, self.in_features, 1, 1), self.bias)
        return y.reshape(*lead, self.out_features)


class Mlp(nn.Module):
    """784-256-128-10 fully connected network with ReLU."""

    def __init__(self):
        super().__init__()
        self.fc1 = Dense(784, 256)
        self.fc2 = Dense(256, 128)
        self.fc3 = Dense(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class LeNetish(nn.Module):
    """Two 3x3 conv + max-pool stages followed by two fully connected layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.fc1 = Dense(32 * 5 * 5, 128)
        self.fc2 = Dense(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)   # 16 x 13 x 13
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)   # 32 x 5 x 5
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class BasicBlock(nn.Module):
    """conv-bn-relu-conv-bn plus shortcut (identity or strided 1x1 conv-bn)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class SmallResNet(nn.Module):
    """Stem conv (stride 2) then 3 stages of 3 basic blocks (16/32/64 channels)."""

    def __init__(self, widths=(16, 32, 64), blocks=3):
        super().__init__()
        self.stem = nn.Conv2d(1, widths[0], 3, stride=2, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(widths[0])
        layers = []
        cin = widths[0]
        for stage, cout in enumerate(widths):
            for b in range(blocks):
                stride = 2 if (stage > 0 and b == 0) else 1
                layers.append(BasicBlock(cin, cout, stride))
                cin = cout
        self.blocks = nn.Sequential(*layers)
        self.fc = Dense(cin, 10)

    def forward(self, x):
        x = F.relu(self.stem_bn(self.stem(x)))       # 16 x 14 x 14
        x = self.blocks(x)                           # 64 x 4 x 4
        x = F.adaptive_avg_pool2d(x, 1)
        x = torch.flatten(x, 1)
        return self.fc(x)


class DwSeparable(nn.Module):
    """Depthwise 3x3 conv-bn-relu6 then pointwise 1x1 conv-bn-relu6."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False)
        self.dw_bn = nn.BatchNorm2d(cin)
        self.pw = nn.Conv2d(cin, cout, 1, bias=False)
        self.pw_bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu6(self.dw_bn(self.dw(x)))
        return F.relu6(self.pw_bn(self.pw(x)))


class DwCnn(nn.Module):
    """MobileNet-style network: stem conv, 4 depthwise-separable blocks, GAP, fc."""

    def __init__(self, widths=(16, 32, 64, 128, 256)):
        super().__init__()
        w = widths
        self.stem = nn.Conv2d(1, w[0], 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(w[0])
        self.blocks = nn.Sequential(
            DwSeparable(w[0], w[1], 2),     # 14 x 14
            DwSeparable(w[1], w[2], 2),     # 7 x 7
            DwSeparable(w[2], w[3], 2),     # 4 x 4
            DwSeparable(w[3], w[4], 1))     # 4 x 4
        self.fc = Dense(w[4], 10)

    def forward(self, x):
        x = F.relu6(self.stem_bn(self.stem(x)))
        x = self.blocks(x)
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class Attention(nn.Module):
    """Multi-head self-attention with explicit qkv / output projections."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.qkv = Dense(dim, 3 * dim)
        self.proj = Dense(dim, dim)

    def forward(self, x):
        b, n, c = x.shape[0], x.shape[1], x.shape[2]
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim)
        qkv = qkv.permute(2, 0, 3, 1, 4)              # 3, b, heads, n, head_dim
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.matmul(q, k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        y = torch.matmul(attn, v)                     # b, heads, n, head_dim
        y = y.transpose(1, 2).reshape(b, n, c)
        return self.proj(y)


class EncoderBlock(nn.Module):
    """Pre-norm transformer encoder block."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = Dense(dim, hidden)
        self.fc2 = Dense(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class TinyVit(nn.Module):
    """7x7 patches (16 tokens) of width 64, class token, 4 encoder blocks."""

    def __init__(self, dim=64, depth=4, heads=4, hidden=256, patch=7):
        super().__init__()
        tokens = (28 // patch) ** 2
        self.patch = nn.Conv2d(1, dim, patch, stride=patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, tokens + 1, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)
        self.blocks = nn.Sequential(*[EncoderBlock(dim, heads, hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = Dense(dim, 10)

    def forward(self, x):
        x = self.patch(x)                             # b, dim, 4, 4
        x = x.flatten(2).transpose(1, 2)              # b, 16, dim
        cls = self.cls.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos
        x = self.blocks(x)
        x = self.norm(x)
        return self.head(x[:, 0])


# Quantization-robust fine-tuning of a model (section "quantization-robust training"):
# epochs, learning rate, the widths drawn for the largest weight tensor (lo..hi) and
# whether each step adds the float model's loss to the quantized model's (dual).
Robust = collections.namedtuple("Robust", "epochs lr lo hi dual")

# name -> (constructor, kind, flat input?, epochs, learning rate, shift augmentation,
#          quantization-robust fine-tuning: None or a Robust)
SPECS = {
    "mlp": (Mlp, "fully connected 784-256-128-10", True, 30, 2e-3, 2, Robust(10, 5e-4, 3, 3, True)),
    "cnn": (LeNetish, "LeNet-like CNN", False, 20, 3e-3, 2, None),
    "resnet": (SmallResNet, "residual CNN", False, 10, 3e-3, 2, None),
    "dwcnn": (DwCnn, "depthwise-separable CNN", False, 20, 4e-3, 2, Robust(15, 1e-3, 2, 3, True)),
    "vit": (TinyVit, "tiny vision transformer", False, 40, 2e-3, 2, Robust(15, 1e-3, 2, 3, True)),
}

# `--robust NAME` fine-tunes a model that SPECS trains in float32 only with DEFAULT_ROBUST;
# `--plain NAME` skips the fine-tuning of a model that SPECS fine-tunes.
DEFAULT_ROBUST = Robust(10, 1e-3, 2, 3, True)


# --------------------------------------------------------------------------
# quantization-robust training
#
# After the ordinary (float) training, a model can be fine-tuned so that it
# survives the per-tensor quantizer of SPEC section 3 at low widths: every
# BatchNorm is first folded into the convolution before it (so the tensor
# trained is the tensor exported and quantized), then in every training step
# each weight tensor (the weight of every Conv2d and Linear layer: exactly the
# tensors QPART quantizes) is replaced in the forward pass by its quantized
# value at a width drawn uniformly from Robust.lo..hi (plus size_extra_bits for
# smaller tensors), independently per tensor and per step from a generator
# seeded with SEED + 1.  The gradient passes
# straight through the rounding (straight-through estimator) to the float
# weights, which are what is exported: the result is an ordinary float32
# model.  Biases, LayerNorm, position embeddings and the class token stay
# float, as QPART keeps them.

# With Robust.dual each step's loss is the float model's plus the quantized
# model's (two forward passes), so the exported float model keeps its own
# accuracy while its quantized versions learn to hold theirs.
ROBUST_SIZE_AWARE = True
ROBUST_MAX_BITS = 8


def size_extra_bits(quants):
    """Extra bits per tensor: round(log4(largest size / size)) when size-aware, else 0.

    SPEC section 6 gives a tensor one bit less per four times more weights
    (at equal sensitivity), so an allocator puts the lowest widths on the
    largest tensors; small tensors (a 3x3 stem, depthwise filters) are cheap at
    more bits.  The draw follows that: lo..hi for the largest tensor,
    shifted up by the size ratio for smaller ones (at most ROBUST_MAX_BITS)."""
    if not ROBUST_SIZE_AWARE:
        return [0] * len(quants)
    top = max(fq.size for fq in quants)
    return [int(round(math.log(top / fq.size, 4))) for fq in quants]


def spec_quantize(w, bits):
    """SPEC section 3: uniform asymmetric per-tensor quantizer, range holding 0."""
    lo = torch.clamp(w.min(), max=0.0)
    hi = torch.clamp(w.max(), min=0.0)
    if float(hi - lo) == 0.0:
        return w
    levels = 2 ** bits - 1
    scale = (hi - lo) / levels
    zp = torch.round(-lo / scale)
    q = torch.clamp(torch.round(w / scale) + zp, 0, levels)
    return (q - zp) * scale


class FakeQuant(nn.Module):
    """Parametrization of a weight: quantized value forward, identity gradient back."""

    def __init__(self, size):
        super().__init__()
        self.bits = 32
        self.size = size    # weight elements (for the size-aware widths)

    def forward(self, w):
        if self.bits >= 32:
            return w
        return w + (spec_quantize(w.detach(), self.bits) - w).detach()


def fused_conv(conv, bn):
    """The Conv2d (with bias) that computes conv followed by bn in eval mode."""
    w, b = folded_weight_bias(conv, bn)
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                      stride=conv.stride, padding=conv.padding,
                      dilation=conv.dilation, groups=conv.groups, bias=True)
    with torch.no_grad():
        fused.weight.copy_(w)
        fused.bias.copy_(b)
    return fused


def folded_weight_bias(conv, bn):
    k = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    b = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    return conv.weight * k.reshape(-1, 1, 1, 1), bn.bias + (b - bn.running_mean) * k


class FrozenBnConv(nn.Module):
    """A convolution and its BatchNorm with frozen running statistics, computed
    as the folded convolution (the tensor the ONNX export holds), whose folded
    weight is fake-quantized.  Weight, BatchNorm scale and shift stay separate
    parameters, so the optimiser can rescale a channel through its BN scale."""

    def __init__(self, conv, bn):
        super().__init__()
        self.conv, self.bn, self.fq = conv, bn, FakeQuant(conv.weight.numel())

    def forward(self, x):
        w, b = folded_weight_bias(self.conv, self.bn)
        c = self.conv
        return F.conv2d(x, self.fq(w), b, c.stride, c.padding, c.dilation, c.groups)


def fold_batchnorm(model, make=fused_conv):
    """Replace every Conv2d + BatchNorm2d pair by make(conv, bn) and the BatchNorm
    by an Identity.  By default make folds the pair (running statistics) into
    one Conv2d with bias: the graph torch's exporter writes for the pair.
    Pairs are found by the naming used above: X and X_bn, convN and bnN, or a
    convolution and the BatchNorm after it in a Sequential."""
    for parent in list(model.modules()):
        children = list(parent.named_children())
        for i, (n, bn) in enumerate(children):
            if not isinstance(bn, nn.BatchNorm2d):
                continue
            if n.endswith("_bn"):
                cn = n[:-3]
            elif n.startswith("bn"):
                cn = "conv" + n[2:]
            else:
                cn = children[i - 1][0]
            conv = getattr(parent, cn)
            assert isinstance(conv, nn.Conv2d), (n, cn)
            setattr(parent, cn, make(conv, bn))
            setattr(parent, n, nn.Identity())
    return model


def unfreeze_batchnorm(model):
    """Turn every FrozenBnConv back into one folded Conv2d."""
    for parent in list(model.modules()):
        for n, child in list(parent.named_children()):
            if isinstance(child, FrozenBnConv):
                setattr(parent, n, fused_conv(child.conv, child.bn))
    return model


def add_fake_quant(model):
    """Fake-quantize the weight of every Conv2d and Linear (through FrozenBnConv
    where a BatchNorm follows); return the FakeQuant modules in model order."""
    from torch.nn.utils import parametrize
    quants = []
    inside = set()
    for mod in model.modules():
        if isinstance(mod, FrozenBnConv):
            quants.append(mod.fq)
            inside.add(id(mod.conv))
        elif isinstance(mod, (nn.Conv2d, nn.Linear)) and id(mod) not in inside:
            fq = FakeQuant(mod.weight.numel())
            parametrize.register_parametrization(mod, "weight", fq)
            quants.append(fq)
    return quants


def remove_fake_quant(model):
    """Drop the parametrizations, keeping the float (latent) weights."""
    from torch.nn.utils import parametrize
    for mod in model.modules():
        if parametrize.is_parametrized(mod, "weight"):
            parametrize.remove_parametrizations(mod, "weight", leave_parametrized=False)


# --------------------------------------------------------------------------
# data and training


def load_split(name):
    with np.load(os.path.join(DATA_DIR, "mnist-%s.npz" % name)) as z:
        x, y = z["x"], z["y"]
    assert x.dtype == np.uint8 and x.shape[1:] == (28, 28), x.shape
    assert y.dtype == np.int64, y.dtype
    return x, y


def to_input(x_uint8, flat):
    """uint8 [N,28,28] -> float32 in [0,1], shaped [N,784] or [N,1,28,28]."""
    x = x_uint8.astype(np.float32) / 255.0
    return x.reshape(len(x), 784) if flat else x.reshape(len(x), 1, 28, 28)


def random_shift(xb, max_shift, gen):
    """Shift every image by up to max_shift pixels in each direction (zero fill)."""
    n = xb.shape[0]
    padded = F.pad(xb, (max_shift,) * 4)
    offs = torch.randint(0, 2 * max_shift + 1, (n, 2), generator=gen)
    out = torch.empty_like(xb)
    for i in range(n):
        dy, dx = int(offs[i, 0]), int(offs[i, 1])
        out[i] = padded[i, :, dy:dy + 28, dx:dx + 28]
    return out


def predict(model, x, batch=500):
    model.eval()
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            outs.append(model(torch.from_numpy(x[i:i + batch])))
    return torch.cat(outs).numpy()


def set_bits(quants, bits):
    for fq in quants:
        fq.bits = bits


def train(name, model, flat, epochs, lr, shift, x_train, y_train, x_test, y_test,
          quants=None, cal=None, robust=None):
    """Adam with warm-up and cosine decay.  With quants (FakeQuant modules), every
    step quantizes each weight at a width drawn from robust.lo..hi; data order and
    widths then come from a generator seeded with SEED + 1, and each epoch also
    reports the accuracy on the calibration split `cal` with every tensor at the
    lowest and the highest width of lo..hi (plus its size_extra_bits)."""
    gen = torch.Generator().manual_seed(SEED if quants is None else SEED + 1)
    xt = torch.from_numpy(to_input(x_train, flat))
    yt = torch.from_numpy(y_train)
    xs = to_input(x_test, flat)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(xt) / BATCH)
    total = epochs * steps_per_epoch
    warmup = steps_per_epoch  # one epoch of linear warm-up, then cosine decay

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    extras = size_extra_bits(quants) if quants else []
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        running, seen = 0.0, 0
        for i in range(0, len(xt), BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = xt[idx], yt[idx]
            if shift:
                xb = random_shift(xb.reshape(-1, 1, 28, 28), shift, gen).reshape(xb.shape)
            float_loss = None
            if quants:
                if robust.dual:
                    set_bits(quants, 32)
                    float_loss = F.cross_entropy(model(xb), yb)
                widths = torch.randint(robust.lo, robust.hi + 1, (len(quants),),
                                       generator=gen)
                for fq, b, extra in zip(quants, widths.tolist(), extras):
                    fq.bits = min(b + extra, ROBUST_MAX_BITS)
            loss = F.cross_entropy(model(xb), yb)
            if float_loss is not None:
                loss = loss + float_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += float(loss) * len(idx)
            seen += len(idx)
        if quants:
            set_bits(quants, 32)
        acc = float((predict(model, xs).argmax(1) == y_test).mean())
        extra = ""
        if quants:
            xc, yc = to_input(cal[0], flat), cal[1]
            for b in sorted({robust.lo, robust.hi}):
                for fq, e in zip(quants, extras):
                    fq.bits = min(b + e, ROBUST_MAX_BITS)
                extra += "  cal acc from %d bits %.4f" % (
                    b, float((predict(model, xc).argmax(1) == yc).mean()))
            set_bits(quants, 32)
        print("  %-6s epoch %2d  loss %.4f  test acc %.4f%s" % (
            name, epoch + 1, running / seen, acc, extra), flush=True)
    model.eval()
    return model


# --------------------------------------------------------------------------
# export and checks


def export(model, flat, path):
    dummy = torch.zeros((2, 784) if flat else (2, 1, 28, 28))
    torch.onnx.export(
        model, dummy, path,
        export_params=True,
        opset_version=OPSET,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})


def check_onnx(path):
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
    assert proto.ir_version <= 8, proto.ir_version
    opsets = {o.domain: o.version for o in proto.opset_import}
    assert opsets.get("", opsets.get("ai.onnx")) == OPSET, opsets
    for t in proto.graph.initializer:
        assert t.data_location != onnx.TensorProto.EXTERNAL, t.name
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["logits"]
    for vi in list(proto.graph.input) + list(proto.graph.output):
        assert vi.type.tensor_type.shape.dim[0].dim_param == "batch", vi
    return proto


def float_param_count(proto):
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE,
              onnx.TensorProto.BFLOAT16}
    return int(sum(int(np.prod(t.dims)) for t in proto.graph.initializer if t.data_type in floats))


def onnx_macs(proto, flat):
    """MACs per sample of Conv / Gemm / MatMul nodes, from a batch-1 run."""
    sample = np.zeros((1, 784) if flat else (1, 1, 28, 28), dtype=np.float32)
    interp = onnx_numpy_eval.Interpreter(proto)
    _, shapes = interp.run({"input": sample}, record_shapes=True)
    by_op = {}
    for node in proto.graph.node:
        if node.op_type == "Conv":
            w = shapes[node.input[1]]
            out = shapes[node.output[0]]
            macs = int(np.prod(out)) * int(w[1]) * int(w[2]) * int(w[3])
        elif node.op_type == "Gemm":
            a, y = shapes[node.input[0]], shapes[node.output[0]]
            trans_a = any(at.name == "transA" and at.i for at in node.attribute)
            k = a[0] if trans_a else a[1]
            macs = int(np.prod(y)) * int(k)
        elif node.op_type == "MatMul":
            a, y = shapes[node.input[0]], shapes[node.output[0]]
            macs = int(np.prod(y)) * int(a[-1])
        else:
            continue
        by_op[node.op_type] = by_op.get(node.op_type, 0) + macs
    return by_op


def module_macs(model, flat):
    """Conv2d / Linear MACs per sample from torch forward hooks (cross-check)."""
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            kh, kw = mod.kernel_size
            total[0] += out.numel() * (mod.in_channels // mod.groups) * kh * kw
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() * mod.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(torch.zeros((1, 784) if flat else (1, 1, 28, 28)))
    for h in handles:
        h.remove()
    return total[0]


def compare_with_torch(proto, torch_logits, x_test, flat):
    """Run the ONNX graph with numpy at batch sizes 1 and 250; return logits."""
    interp = onnx_numpy_eval.Interpreter(proto)
    xs = to_input(x_test, flat)
    single = interp.run({"input": xs[:1]})[0]["logits"]
    assert single.shape == (1, 10), single.shape
    outs = []
    for i in range(0, len(xs), 250):
        outs.append(interp.run({"input": xs[i:i + 250]})[0]["logits"])
    logits = np.concatenate(outs)
    diff = float(np.abs(logits - torch_logits).max())
    diff1 = float(np.abs(single - torch_logits[:1]).max())
    return logits, max(diff, diff1)


def op_histogram(proto):
    hist = {}
    for node in proto.graph.node:
        hist[node.op_type] = hist.get(node.op_type, 0) + 1
    return dict(sorted(hist.items()))


# --------------------------------------------------------------------------
# cards


def describe(model):
    lines = []
    for name, mod in model.named_modules():
        if name and not list(mod.children()):
            lines.append("    %-28s %s" % (name, mod))
    return "\n".join(lines)


def robust_note(info):
    r = info["robust"]
    if r is None:
        return ""
    loss = ("the loss of each step is the float model's plus the quantized model's (two "
            "forward passes), so the float model keeps its accuracy; " if r["dual"] else "")
    return ("\n- quantization-robust fine-tuning (`tools/train_models.py`, \"quantization-robust "
            "training\"): BatchNorm folded into the convolutions, then {e} more epochs (Adam, "
            "learning rate {lr:g}, same schedule and augmentation) in which every Conv and "
            "Linear weight is quantized in the forward pass with SPEC section 3's per-tensor "
            "quantizer at {widths} per tensor and step for "
            "the largest tensor, one bit more per four times fewer weights (straight-through "
            "gradient, widths and data order seeded with {seed}); {loss}the float "
            "weights are exported").format(e=r["epochs"], lr=r["lr"],
                                           widths=("%d bits" % r["lo"] if r["lo"] == r["hi"] else
                                                   "a width drawn uniformly from %d..%d bits" % (r["lo"], r["hi"])),
                                           loss=loss, seed=SEED + 1)


def write_card(name, info, model):
    size_kib = info["onnx_bytes"] / 1024.0
    ops = ", ".join("%s x%d" % (k, v) for k, v in info["ops"].items())
    macs = info["macs_by_op"]
    mac_parts = ", ".join("%s %s" % (k, "{:,}".format(v)) for k, v in sorted(macs.items()))
    text = """# `{name}` - {kind}

`models/{name}.onnx`: float32 MNIST classifier, ONNX opset {opset}, IR version
{ir}, one input `input` of shape {ishape} (pixels scaled to [0, 1], i.e. the
uint8 data of `data/` divided by 255) and one output `logits` of shape
[batch, 10] (raw logits, no softmax).  The batch dimension is symbolic
(`batch`).

## Architecture

{arch}

Layers as defined in `tools/train_models.py` (class `{cls}`; `Dense` is
`nn.Linear` with a faster compute path used only while training):

```
{layers}
```

## Numbers

| quantity | value |
|---|---|
| float parameters (float initializer elements in the ONNX file) | {params:,} |
| trainable parameters in the torch model | {torch_params:,}{bn_note} |
| MACs per sample | {macs:,} |
| ONNX file size | {size_kib:.1f} KiB ({bytes:,} bytes, all weights float32, no external data) |
| ONNX nodes | {nodes} |
| test accuracy (`data/mnist-test.npz`, 2000 digits) | {acc:.2%} ({correct}/2000) |

MACs count multiply-accumulates of the Conv, Gemm and MatMul nodes for one
sample ({mac_parts}): a Conv costs output elements x input channels per group
x kernel height x kernel width, a Gemm/MatMul output elements x inner
dimension.  Pooling, activations, normalisation, softmax and additions are
not counted.{mac_note}

Operators in the graph: {ops}.

Export notes: {notes}

The accuracy is that of the exported graph, run by the numpy interpreter in
`tools/onnx_numpy_eval.py`; its logits differ from torch's by at most
{diff:.2e} over the test set and all 2000 predictions agree.

## Training

- data: `data/mnist-train.npz` (6000 digits), inputs x / 255
- optimiser: Adam, learning rate {lr:g}, batch size {batch}, {epochs} epochs,
  one epoch of linear warm-up then cosine decay to zero
- augmentation: {aug}{robust}
- seed: {seed} (`torch.manual_seed`, `numpy`, data order generator);
  `torch.set_num_threads({threads})`
- training time: {secs:.0f} s with {threads} intra-op thread (torch {torch_version})

## Rebuild

```
/usr/bin/python3 tools/train_models.py {name}
```

(run from the repository root after `tools/make_mnist_data.py`; see
`tools/README.md`).
""".format(
        name=name, kind=info["kind"], opset=OPSET, ir=info["ir_version"],
        ishape="[batch, 784]" if info["flat"] else "[batch, 1, 28, 28]",
        arch=info["arch"], cls=type(model).__name__, layers=info["layers"], robust=robust_note(info),
        params=info["params"], torch_params=info["torch_params"],
        bn_note=(" (BatchNorm folded into the convolutions on export)"
                 if info["params"] != info["torch_params"] else ""), macs=info["macs"],
        size_kib=size_kib, bytes=info["onnx_bytes"], nodes=info["nodes"],
        acc=info["accuracy"], correct=info["correct"], mac_parts=mac_parts,
        mac_note=info.get("mac_note", ""), ops=ops, notes=EXPORT_NOTES[name], diff=info["max_abs_diff"],
        lr=info["lr"], batch=BATCH, epochs=info["epochs"], aug=info["augmentation"],
        seed=SEED, threads=THREADS, secs=info["train_seconds"], torch_version=torch.__version__)
    with open(os.path.join(MODEL_DIR, name + ".md"), "w", encoding="utf-8") as fh:
        fh.write(text)


ARCH = {
    "mlp": "Fully connected 784 -> 256 -> 128 -> 10 with ReLU after the two hidden "
           "layers; exported as three Gemm nodes.",
    "cnn": "Conv 3x3 (1 -> 16) + ReLU + 2x2 max-pool, conv 3x3 (16 -> 32) + ReLU + "
           "2x2 max-pool, flatten (32 x 5 x 5 = 800), fully connected 800 -> 128 + ReLU, "
           "128 -> 10.",
    "resnet": "Stem conv 3x3 stride 2 (1 -> 16) + BN + ReLU, then three stages of three "
              "basic blocks (16, 32, 64 channels at 14x14, 7x7, 4x4; the first block of "
              "stages 2 and 3 has stride 2 and a 1x1 strided projection shortcut).  A basic "
              "block is conv3x3-BN-ReLU-conv3x3-BN, added to the shortcut, then ReLU.  "
              "Global average pooling and a fully connected 64 -> 10 layer follow.  "
              "BatchNorm is folded into the preceding convolution on export, so the graph "
              "holds 22 weight tensors (19 3x3 convs, 2 1x1 projections, 1 Gemm) and 9 "
              "residual Add nodes.",
    "dwcnn": "MobileNet-style: stem conv 3x3 (1 -> 16) + BN + ReLU6, then four "
             "depthwise-separable blocks, each a depthwise 3x3 conv (groups = channels) + "
             "BN + ReLU6 followed by a pointwise 1x1 conv + BN + ReLU6 (16 -> 32 stride 2, "
             "32 -> 64 stride 2, 64 -> 128 stride 2, 128 -> 256, the last block wide as "
             "MobileNet's last layers are, so the quantizable weights outweigh the float32 "
             "biases), global average pooling and a fully connected 256 -> 10 layer.  BatchNorm is folded into the convolutions "
             "before the quantization-robust fine-tuning.",
    "vit": "Tiny vision transformer: a 7x7 stride-7 Conv cuts the image into 16 patch "
           "tokens of width 64; a learned class token (expanded to the batch size) is "
           "prepended and a learned position embedding (17 x 64) added.  Four pre-norm "
           "encoder blocks follow, each LayerNorm -> 4-head self-attention (one Linear for "
           "q, k, v, scaled dot product, softmax, output Linear) -> residual add, then "
           "LayerNorm -> Linear 64 -> 256 -> GELU -> Linear 256 -> 64 -> residual add (an MLP "
           "four times the token width, so the quantizable weights outweigh the float32 "
           "biases, norms and embeddings).  "
           "A final LayerNorm and a Linear 64 -> 10 head on the class token give the "
           "logits.  Attention reshapes are computed from the input's shape, so the graph "
           "contains Shape/Gather/Unsqueeze/Concat/Reshape chains that follow the "
           "dynamic batch dimension.",
}


EXPORT_NOTES = {
    "mlp": "Three Gemm nodes (transB = 1, weights stored [out, in]) with Relu in "
           "between; no shape operators.",
    "cnn": "`torch.flatten(x, 1)` is exported as a single Flatten (axis 1) node; there "
           "are no Shape or Reshape nodes.  The fully connected layers are Gemm nodes "
           "(transB = 1).",
    "resnet": "BatchNorm is folded into the convolutions, so the folded weights and "
              "biases get generated initializer names (`onnx::Conv_NNN`).  The shortcut "
              "sum of each block is an Add node followed by Relu; pooling is "
              "GlobalAveragePool followed by Flatten and Gemm.",
    "dwcnn": "BatchNorm is folded into the convolutions before the quantization-robust "
             "fine-tuning, so the initializers keep the module names "
             "(`blocks.0.pw.weight`, `blocks.0.pw.bias`); with `--plain`, torch's exporter folds "
             "it, with generated initializer names (`onnx::Conv_NNN`).  Depthwise convolutions are Conv nodes with group equal "
             "to the channel count.  Each ReLU6 is exported as Relu followed by Clip, "
             "with min 0 and max 6 given by scalar Constant nodes.",
    "vit": "Linear layers applied to the [batch, 17, 64] token tensor become MatMul "
           "with a pre-transposed [in, out] weight initializer (`onnx::MatMul_NNN`) "
           "followed by an Add of the bias; only the head (on a 2-D tensor) is a Gemm.  "
           "GELU is spelled out as Div by sqrt(2), Erf, Add 1, Mul, Mul 0.5.  "
           "LayerNorm is the opset-17 LayerNormalization operator.  "
           "`x.flatten(2)` becomes Shape -> Slice -> Concat(-1) -> Reshape.  "
           "`cls.expand(batch, -1, -1)` becomes Shape -> Gather -> Unsqueeze -> Concat "
           "-> Reshape, then ConstantOfShape / Mul / Equal / Where to turn each -1 into 1, "
           "then Expand.  In each attention block the batch, token and width sizes are "
           "read with Shape -> Gather, and Unsqueeze -> Concat builds the Reshape "
           "targets; q, k and v are taken from the permuted tensor with Gather (scalar "
           "index, axis 0), and the class token with Gather (scalar index, axis 1).  "
           "Small constants are Constant nodes (some scalar, some shared between "
           "blocks), not initializers.",
}


def robust_index_note(summary):
    names = [n for n in SPECS if n in summary and summary[n].get("robust")]
    if not names:
        return "Every model is trained in float32 only (no quantization-robust fine-tuning)."
    return ("{} {} fine-tuned to survive SPEC section 3's per-tensor quantizer at low widths "
            "after the float training (\"quantization-robust training\" in "
            "`tools/train_models.py`; details on the cards); the others are trained in float32 "
            "only.  The test accuracy is that of the exported float32 model.  "
            "`tools/train_models.py --plain NAME` trains without the fine-tuning.").format(
                english_list(["`%s`" % n for n in names]), "is" if len(names) == 1 else "are")


def english_list(items):
    """a; a and b; a, b and c."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def write_index(summary):
    rows = []
    for name in SPECS:
        if name not in summary:
            continue
        s = summary[name]
        rows.append("| [`{n}`]({n}.md) | {k} | {i} | {p:,} | {m:,} | {d} | {a:.2%} |".format(
            n=name, k=s["kind"], i="[batch, 784]" if s["flat"] else "[batch, 1, 28, 28]",
            p=s["params"], m=s["macs"], d=s["nodes"], a=s["accuracy"]))
    text = """# Bundled models

MNIST classifiers in ONNX format (opset {opset}, float32, dynamic batch
dimension `batch`, input `input`, output `logits` = raw logits of the ten
digit classes).  Inputs are pixels in [0, 1], i.e. the uint8 images of
`data/` divided by 255.  All are trained on `data/mnist-train.npz` and scored
on `data/mnist-test.npz` (2000 digits) by `tools/train_models.py`; each model
has a card `NAME.md` with details.

| model | kind | input | float params | MACs / sample | ONNX nodes | test accuracy |
|---|---|---|---:|---:|---:|---:|
{rows}

Parameters are the float initializer elements of the ONNX file; MACs are
those of the Conv, Gemm and MatMul nodes for one sample.  `summary.json`
holds the same numbers in machine-readable form.

{robust}

Rebuild (from the repository root, after the data):

```
/usr/bin/python3 tools/train_models.py
```
""".format(opset=OPSET, rows="\n".join(rows), robust=robust_index_note(summary))
    with open(os.path.join(MODEL_DIR, "README.md"), "w", encoding="utf-8") as fh:
        fh.write(text)


# --------------------------------------------------------------------------


def build(name, data, robust_mode):
    """robust_mode: "spec" (as SPECS says), "plain" (never) or "robust" (always)."""
    global FAST_DENSE
    cls, kind, flat, epochs, lr, shift, robust = SPECS[name]
    if robust_mode == "plain":
        robust = None
    elif robust_mode == "robust" and robust is None:
        robust = DEFAULT_ROBUST
    x_train, y_train, x_test, y_test, cal = data
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    model = cls()
    FAST_DENSE = True
    print("== %s: %d trainable parameters" % (name, sum(p.numel() for p in model.parameters())),
          flush=True)
    t0 = time.time()
    train(name, model, flat, epochs, lr, shift, x_train, y_train, x_test, y_test)
    layers = describe(model)
    torch_params = int(sum(p.numel() for p in model.parameters()))
    if robust is not None:
        fold_batchnorm(model, FrozenBnConv)
        quants = add_fake_quant(model)
        print("== %s: quantization-robust fine-tuning, %d weight tensors, widths %d..%d" % (
            name, len(quants), robust.lo, robust.hi), flush=True)
        train(name, model, flat, robust.epochs, robust.lr, shift, x_train, y_train, x_test, y_test,
              quants=quants, cal=cal, robust=robust)
        remove_fake_quant(model)
        unfreeze_batchnorm(model)
    secs = time.time() - t0
    FAST_DENSE = False
    torch_logits = predict(model, to_input(x_test, flat))

    path = os.path.join(MODEL_DIR, name + ".onnx")
    export(model, flat, path)
    proto = check_onnx(path)
    onnx_logits, diff = compare_with_torch(proto, torch_logits, x_test, flat)
    pred = onnx_logits.argmax(1)
    agree = int((pred == torch_logits.argmax(1)).sum())
    assert agree == len(pred), "ONNX and torch predictions differ on %d digits" % (len(pred) - agree)
    assert diff < 1e-3, diff
    correct = int((pred == y_test).sum())
    macs_by_op = onnx_macs(proto, flat)
    macs = sum(macs_by_op.values())
    hook_macs = module_macs(model, flat)
    info = {
        "kind": kind, "flat": flat,
        "arch": ARCH[name],
        "params": float_param_count(proto),
        "torch_params": torch_params, "layers": layers,
        "robust": None if robust is None else robust._asdict(),
        "macs": macs, "macs_by_op": macs_by_op, "conv_linear_macs": hook_macs,
        "onnx_bytes": os.path.getsize(path), "ir_version": proto.ir_version,
        "nodes": len(proto.graph.node), "ops": op_histogram(proto),
        "accuracy": correct / len(y_test), "correct": correct,
        "max_abs_diff": diff, "epochs": epochs, "lr": lr,
        "augmentation": ("random shifts of up to %d pixels in each direction" % shift
                         if shift else "none"),
        "train_seconds": secs,
    }
    if macs != hook_macs:
        info["mac_note"] = (
            "  Conv and Linear layers alone account for {:,} MACs; the rest are the "
            "attention score and attention-weighted-value MatMuls.".format(hook_macs))
    write_card(name, info, model)
    print("== %s: acc %.4f, %d params, %d MACs, %d nodes, %.0f s, max |diff| %.2e" % (
        name, info["accuracy"], info["params"], macs, info["nodes"], secs, diff), flush=True)
    return info


def main(argv):
    global MODEL_DIR
    args = argv[1:]
    robust_mode = "spec"
    names = []
    while args:
        a = args.pop(0)
        if a in ("--plain", "--robust"):
            robust_mode = a[2:]
        elif a == "--out-dir" and args:
            MODEL_DIR = args.pop(0)
        elif a.startswith("-"):
            sys.stderr.write("unknown option %r; expected --plain, --robust, --out-dir DIR "
                             "or model names\n" % a)
            return 2
        else:
            names.append(a)
    names = names or list(SPECS)
    for n in names:
        if n not in SPECS:
            sys.stderr.write("unknown model %r; choose from %s\n" % (n, ", ".join(SPECS)))
            return 2
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("test")
    data = (x_train, y_train, x_test, y_test, load_split("cal"))
    os.makedirs(MODEL_DIR, exist_ok=True)

    summary_path = os.path.join(MODEL_DIR, "summary.json")
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path, "r", encoding="utf-8") as fh:
            summary = json.load(fh)
    start = time.time()
    for name in names:
        info = build(name, data, robust_mode)
        summary[name] = {k: info[k] for k in (
            "kind", "flat", "params", "macs", "macs_by_op", "accuracy", "nodes", "ops",
            "onnx_bytes", "epochs", "train_seconds", "robust")}
    summary = {k: summary[k] for k in SPECS if k in summary}
    with open(summary_path, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2, sort_keys=False)
        fh.write("\n")
    write_index(summary)
    print("total %.0f s" % (time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
