#!/usr/bin/env python3
"""A small numpy interpreter for the ONNX operators the bundled models use.

onnx 1.12 has no reference evaluator and onnxruntime is not a dependency, so
tools/train_models.py runs each exported graph through this module to check
it against torch.  It covers only what the bundled models (and graphs like
them) contain; anything else raises NotImplementedError.

Usage as a script (from the repository root):

    /usr/bin/python3 tools/onnx_numpy_eval.py models/cnn.onnx [data/mnist-test.npz]

prints the operator histogram and the accuracy on the given .npz split.
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _erf(x):
    """Error function via Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)."""
    x64 = np.asarray(x, dtype=np.float64)
    sign = np.sign(x64)
    a = np.abs(x64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.asarray(x).dtype)


def _pad_spatial(x, pads, value):
    nd = x.ndim - 2
    if not any(pads):
        return x
    width = [(0, 0), (0, 0)] + [(pads[i], pads[i + nd]) for i in range(nd)]
    return np.pad(x, width, mode="constant", constant_values=value)


def _windows(x, kernel, strides, dilations):
    """View [N,C,H,W] as [N,C,OH,OW,kh,kw] windows."""
    kh, kw = kernel
    dh, dw = dilations
    sh, sw = strides
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    win = np.lib.stride_tricks.sliding_window_view(x, span, axis=(2, 3))
    return win[:, :, ::sh, ::sw, ::dh, ::dw]


def _conv(node, x, w, b=None):
    at = _attrs(node)
    if x.ndim != 4:
        raise NotImplementedError("only 2-D Conv is supported")
    group = at.get("group", 1)
    kernel = list(at.get("kernel_shape", w.shape[2:]))
    strides = list(at.get("strides", [1, 1]))
    dilations = list(at.get("dilations", [1, 1]))
    pads = list(at.get("pads", [0, 0, 0, 0]))
    if at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("auto_pad")
    x = _pad_spatial(x, pads, 0.0)
    win = _windows(x, kernel, strides, dilations)       # N, C, OH, OW, kh, kw
    n, c, oh, ow = win.shape[:4]
    m = w.shape[0]
    cg, mg = c // group, m // group
    kk = cg * kernel[0] * kernel[1]
    # columns: group, N*OH*OW, cg*kh*kw
    cols = win.reshape(n, group, cg, oh, ow, kernel[0], kernel[1])
    cols = cols.transpose(1, 0, 3, 4, 2, 5, 6).reshape(group, n * oh * ow, kk)
    wmat = w.reshape(group, mg, kk).transpose(0, 2, 1)   # group, kk, mg
    y = np.matmul(cols, wmat)                            # group, N*OH*OW, mg
    y = y.reshape(group, n, oh, ow, mg).transpose(1, 0, 4, 2, 3).reshape(n, m, oh, ow)
    if b is not None:
        y = y + b.reshape(1, m, 1, 1)
    return y.astype(x.dtype, copy=False)


def _maxpool(node, x):
    at = _attrs(node)
    if at.get("ceil_mode", 0) or x.ndim != 4:
        raise NotImplementedError("MaxPool with ceil_mode or non-2-D input")
    kernel = list(at["kernel_shape"])
    strides = list(at.get("strides", [1, 1]))
    dilations = list(at.get("dilations", [1, 1]))
    pads = list(at.get("pads", [0, 0, 0, 0]))
    x = _pad_spatial(x, pads, -np.inf)
    return _windows(x, kernel, strides, dilations).max(axis=(4, 5))


def _layer_norm(node, x, scale, bias=None):
    at = _attrs(node)
    axis = at.get("axis", -1)
    eps = at.get("epsilon", 1e-5)
    axis = axis % x.ndim
    axes = tuple(range(axis, x.ndim))
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x64 - mean) / np.sqrt(var + eps) * scale
    if bias is not None:
        y = y + bias
    return y.astype(x.dtype)


def _softmax(node, x):
    axis = _attrs(node).get("axis", -1)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _gemm(node, a, b, c=None):
    at = _attrs(node)
    if at.get("transA", 0):
        a = a.T
    if at.get("transB", 0):
        b = b.T
    y = at.get("alpha", 1.0) * (a @ b)
    if c is not None:
        y = y + at.get("beta", 1.0) * c
    return y.astype(a.dtype, copy=False)


def _reshape(node, x, shape):
    allowzero = _attrs(node).get("allowzero", 0)
    target = [int(s) for s in shape]
    if not allowzero:
        target = [x.shape[i] if s == 0 else s for i, s in enumerate(target)]
    return x.reshape(target)


def _slice(x, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else [int(a) % x.ndim for a in axes]
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        index[a] = slice(int(s), int(e), int(st))
    return x[tuple(index)]


def _div(a, b):
    if np.issubdtype(np.asarray(a).dtype, np.integer):
        return np.trunc(np.divide(a, b)).astype(np.asarray(a).dtype)
    return np.divide(a, b)


def _unsqueeze(x, axes):
    out_rank = x.ndim + len(axes)
    for ax in sorted(int(a) % out_rank for a in axes):
        x = np.expand_dims(x, ax)
    return x


def _squeeze(x, axes=None):
    if axes is None:
        return np.squeeze(x)
    return np.squeeze(x, axis=tuple(int(a) % x.ndim for a in axes))


def _shape(node, x):
    at = _attrs(node)
    dims = np.array(x.shape, dtype=np.int64)
    start = at.get("start", 0)
    end = at.get("end", None)
    return dims[start:end]


def _constant(node):
    at = _attrs(node)
    if "value" in at:
        return numpy_helper.to_array(at["value"])
    if "value_float" in at:
        return np.array(at["value_float"], dtype=np.float32)
    if "value_floats" in at:
        return np.array(at["value_floats"], dtype=np.float32)
    if "value_int" in at:
        return np.array(at["value_int"], dtype=np.int64)
    if "value_ints" in at:
        return np.array(at["value_ints"], dtype=np.int64)
    raise NotImplementedError("Constant attribute %s" % list(at))


def _constant_of_shape(node, shape):
    value = _attrs(node).get("value")
    fill = numpy_helper.to_array(value) if value is not None else np.zeros(1, np.float32)
    return np.full([int(s) for s in shape], fill.reshape(-1)[0], dtype=fill.dtype)


def _clip(x, lo=None, hi=None):
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return x


def _cast(node, x):
    to = _attrs(node)["to"]
    return x.astype(onnx.helper.tensor_dtype_to_np_dtype(to)
                    if hasattr(onnx.helper, "tensor_dtype_to_np_dtype")
                    else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[to])


def _transpose(node, x):
    perm = _attrs(node).get("perm")
    return np.transpose(x, perm)


def _reduce_mean(node, x, axes=None):
    at = _attrs(node)
    axes = at.get("axes", axes)
    keep = bool(at.get("keepdims", 1))
    ax = None if axes is None or len(axes) == 0 else tuple(int(a) for a in axes)
    return x.mean(axis=ax, keepdims=keep).astype(x.dtype)


# op name -> function(node, *inputs); missing optional inputs arrive as None
OPS = {
    "Add": lambda n, a, b: np.add(a, b),
    "Sub": lambda n, a, b: np.subtract(a, b),
    "Mul": lambda n, a, b: np.multiply(a, b),
    "Div": lambda n, a, b: _div(a, b),
    "Pow": lambda n, a, b: np.power(a, b).astype(a.dtype),
    "Sqrt": lambda n, x: np.sqrt(x),
    "Erf": lambda n, x: _erf(x),
    "Tanh": lambda n, x: np.tanh(x),
    "Sigmoid": lambda n, x: (1.0 / (1.0 + np.exp(-x))).astype(x.dtype),
    "Relu": lambda n, x: np.maximum(x, np.zeros((), dtype=x.dtype)),
    "Clip": lambda n, x, lo=None, hi=None: _clip(x, lo, hi),
    "Identity": lambda n, x: x,
    "Conv": _conv,
    "MaxPool": _maxpool,
    "GlobalAveragePool": lambda n, x: x.mean(axis=tuple(range(2, x.ndim)), keepdims=True),
    "Gemm": _gemm,
    "MatMul": lambda n, a, b: np.matmul(a, b),
    "Flatten": lambda n, x: x.reshape(int(np.prod(x.shape[:_attrs(n).get("axis", 1)])), -1),
    "Reshape": _reshape,
    "Transpose": _transpose,
    "Softmax": _softmax,
    "LayerNormalization": _layer_norm,
    "ReduceMean": _reduce_mean,
    "Shape": _shape,
    "Gather": lambda n, x, i: np.take(x, i.astype(np.int64), axis=_attrs(n).get("axis", 0)),
    "Unsqueeze": lambda n, x, axes: _unsqueeze(x, axes),
    "Squeeze": lambda n, x, axes=None: _squeeze(x, axes),
    "Concat": lambda n, *xs: np.concatenate(xs, axis=_attrs(n)["axis"]),
    "Slice": lambda n, x, s, e, a=None, st=None: _slice(x, s, e, a, st),
    "Expand": lambda n, x, shape: np.broadcast_to(
        x, np.broadcast_shapes(x.shape, tuple(int(s) for s in shape))).copy(),
    "Constant": lambda n: _constant(n),
    "ConstantOfShape": _constant_of_shape,
    "Equal": lambda n, a, b: np.equal(a, b),
    "Where": lambda n, c, a, b: np.where(c, a, b),
    "Cast": _cast,
}


class Interpreter:
    """Runs an onnx.ModelProto (default domain only) on numpy arrays."""

    def __init__(self, model):
        self.graph = model.graph
        self.initializers = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        for node in self.graph.node:
            if node.domain not in ("", "ai.onnx"):
                raise NotImplementedError("domain %r" % node.domain)
            if node.op_type not in OPS:
                raise NotImplementedError("operator %s" % node.op_type)

    def run(self, feeds, record_shapes=False):
        """Return ({output name: array}, {value name: shape} or None)."""
        values = dict(self.initializers)
        for inp in self.graph.input:
            if inp.name in feeds:
                values[inp.name] = np.asarray(feeds[inp.name])
            elif inp.name not in values:
                raise KeyError("missing input %s" % inp.name)
        shapes = {k: v.shape for k, v in values.items()} if record_shapes else None
        for node in self.graph.node:
            args = [values[name] if name else None for name in node.input]
            out = OPS[node.op_type](node, *args)
            if len(node.output) != 1:
                raise NotImplementedError("%s with %d outputs" % (node.op_type, len(node.output)))
            values[node.output[0]] = np.asarray(out)
            if record_shapes:
                shapes[node.output[0]] = values[node.output[0]].shape
        return {o.name: values[o.name] for o in self.graph.output}, shapes


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    model = onnx.load(argv[1])
    split = argv[2] if len(argv) > 2 else "data/mnist-test.npz"
    with np.load(split) as z:
        x, y = z["x"], z["y"]
    interp = Interpreter(model)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    flat = len(dims) == 2
    xf = x.astype(np.float32) / 255.0
    xf = xf.reshape(len(x), 784) if flat else xf.reshape(len(x), 1, 28, 28)
    preds = []
    for i in range(0, len(xf), 250):
        preds.append(interp.run({model.graph.input[0].name: xf[i:i + 250]})[0]
                     [model.graph.output[0].name].argmax(1))
    pred = np.concatenate(preds)
    hist = {}
    for node in model.graph.node:
        hist[node.op_type] = hist.get(node.op_type, 0) + 1
    print("nodes: %d  %s" % (len(model.graph.node), dict(sorted(hist.items()))))
    print("accuracy on %s: %.4f (%d/%d)" % (split, (pred == y).mean(), (pred == y).sum(), len(y)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
