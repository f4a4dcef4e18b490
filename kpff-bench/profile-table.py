#!/usr/bin/env python3
"""Where a training step's time goes, from a JFR recording of TrainStepBenchmark (kpff-bench/profile-step.sh).

Reads `jfr print --json` of jdk.ExecutionSample and jdk.NativeMethodSample events, keeps the training thread's
samples (`main`), and attributes each to a layer kind (the innermost frame that belongs to one: convolution, batch
norm, max pooling, activation, dropout, KPFF fusion, ..., the Adam updater, the L2 term) and to what the thread was
doing there (a oneDNN primitive, a oneDNN reorder, a libnd4j op, creating an INDArray, other JNI, Java). Prints a
Markdown table: share of the thread's samples per layer kind, split by what; and the most frequent innermost
call sites. JFR samples a thread in native code and in Java alike, so the shares are of wall time on that thread.
"""
import collections
import json
import sys

# (layer kind, class-name fragments of frames that belong to it); the innermost matching frame decides.
WHERE = [
    ("updater (Adam)", ("AdamUpdater", "UpdaterBlock", "BaseMultiLayerUpdater", "FlatViewUpdater")),
    ("L2 term", ("L2Regularization", "calcRegularizationScore")),
    ("convolution", ("OneDnnConvolution", "DirectWeightGradient", "ConvolutionLayer", "LinearConvolution",
                     "MKLDNNConvHelper")),
    ("batch norm", ("OneDnnBatchNorm", "BatchNormalization", "MKLDNNBatchNormHelper", "core/backbone/BatchNorm")),
    ("max pooling", ("SubsamplingLayer", "MKLDNNSubsamplingHelper", "OneDnnPooling", "core/backbone/MaxPooling")),
    ("activation (ReLU)", ("ActivationLayer", "ActivationReLU", "core/backbone/Relu")),
    ("dropout", ("DropoutLayer", "Dropout.")),
    ("KPFF fusion", ("org/kpff/core/fusion", "KroneckerFusion")),
    ("global pooling", ("GlobalPoolingLayer",)),
    ("dense + loss", ("DenseLayer", "OutputLayer", "LossMCXENT", "LossLayer", "BaseOutputLayer")),
    ("merge/other vertices", ("org/deeplearning4j/nn/graph/vertex/impl",)),
]
WHAT_ALLOC = ("shapeBuffer", "createShapeInfo", "dbCreate", "LongPointer.allocateArray", "DeallocatorService",
              "BaseNDArray.<init>", "createBuffer", "createUninitialized", "Nd4j.create")


def frame_name(f):
    return f["method"]["type"]["name"] + "." + f["method"]["name"]


def classify(frames):
    names = [frame_name(f) for f in frames]
    where = "graph / fit loop"
    for n in names:
        hit = next((w for w, keys in WHERE if any(k in n for k in keys)), None)
        if hit:
            where = hit
            break
    passes = "backward" if any("backpropGradient" in n or "doBackward" in n for n in names) else "forward"
    if where in ("updater (Adam)", "L2 term", "graph / fit loop"):
        passes = ""
    top = names[0] if names else "?"
    native = frames[0].get("type") == "Native" if frames else False
    if top.endswith("dnnl/primitive.execute") or top.endswith("primitive.execute"):
        what = "reorder" if any("reorder" in n.split("/")[-1] for n in names[:1]) else "oneDNN primitive"
    elif "dnnl/reorder" in top:
        what = "oneDNN reorder"
    else:
        what = None
    if what is None:
        if any(any(k in n for k in WHAT_ALLOC) for n in names[:8]):
            what = "array creation"
        elif native and "Nd4jCpu.exec" in top:
            what = "libnd4j op"
        elif native:
            what = "other native/JNI"
        else:
            what = "Java"
    return where, passes, what, names


def main(path):
    with open(path) as f:
        events = json.load(f)["recording"]["events"]
    rows = collections.Counter()
    sites = collections.Counter()
    total = 0
    for e in events:
        v = e["values"]
        if v["sampledThread"]["javaName"] != "main":
            continue
        frames = v["stackTrace"]["frames"]
        where, passes, what, names = classify(frames)
        rows[(where, passes, what)] += 1
        short = [n.split("/")[-1] for n in names[:4]]
        sites[" < ".join(short)] += 1
        total += 1
    kinds = ["oneDNN primitive", "oneDNN reorder", "libnd4j op", "array creation", "other native/JNI", "Java"]
    by_where = collections.defaultdict(collections.Counter)
    for (where, passes, what), n in rows.items():
        by_where[(where, passes)][what] += n
    print(f"training thread samples: {total}\n")
    print("| layer kind | pass | share | " + " | ".join(kinds) + " |")
    print("|---|---|---:|" + "---:|" * len(kinds))
    for key, c in sorted(by_where.items(), key=lambda kv: -sum(kv[1].values())):
        s = sum(c.values())
        cells = " | ".join(f"{100 * c[k] / total:.1f}" if c[k] else "" for k in kinds)
        print(f"| {key[0]} | {key[1]} | {100 * s / total:.1f} % | {cells} |")
    col = collections.Counter()
    for c in by_where.values():
        col.update(c)
    print("| **all** | | 100 % | " + " | ".join(f"{100 * col[k] / total:.1f}" for k in kinds) + " |")
    print("\nmost frequent innermost call sites (share of the training thread's samples):\n")
    for site, n in sites.most_common(25):
        print(f"- {100 * n / total:.1f} % {site}")


if __name__ == "__main__":
    main(sys.argv[1])
