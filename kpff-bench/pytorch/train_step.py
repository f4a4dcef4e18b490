#!/usr/bin/env python3
"""Training-step throughput of the KPFF networks in PyTorch (CPU), for a side-by-side with DL4J.

Builds, layer by layer, the network that kpff-core's ModelFactory builds for a cell (see README.md next to this
file for the mapping), then times model.train() steps of forward + cross-entropy + backward + Adam step on one
random float32 batch, and prints ONE line of JSON on stdout (diagnostics, if asked for, go to stderr).

Run with the Debian torch:  /usr/bin/python3 kpff-bench/pytorch/train_step.py --backbone alexnet --size 64 ...

"params" is the length of DL4J's flat parameter array (ComputationGraph.params().length(), = ModelCost
parameters): every trainable tensor plus the batch-norm running mean and log10-stdev (DL4J keeps those in the
parameter array; PyTorch keeps them as buffers). "dl4j_numParams" is what ComputationGraph.numParams() returns: the
same minus the KPFF vertex's n x n W, because numParams() sums layers only. "trainable_params" is the PyTorch count.

Java numbers (params / numParams), checked with DL4J 1.0.0-M2.1 on the kpff-core classes; 224 px, width 1.0, r 256,
batch norm on, 21 classes, KPFF head; they also equal docs/RESULTS.md:
  alexnet    4,030,398 / 4,030,389   (original head, method none: 3,822,517)
  vgg16     15,071,966 / 15,071,957   (none: 14,864,085)
  inception  6,610,334 / 6,610,325    (none: 6,263,189)
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------------
# Shape helpers: DL4J ConvolutionMode.Same
# ---------------------------------------------------------------------------------------------------------------


def channels(paper_channels, width):
    """BackboneOptions.channels: max(1, (int) Math.round(c * width)); Java rounds half up (not to even)."""
    x = paper_channels * width
    n = math.floor(x)
    if x - n >= 0.5:
        n += 1
    return max(1, int(n))


def same_padding(size, kernel, stride):
    """DL4J Same mode: out = ceil(in / stride); total pad = max(0, (out-1)*stride + k - in); top/left gets
    floor(total/2) (ConvolutionUtils.getSameModeTopLeftPadding), bottom/right the rest. Returns (out, lo, hi)."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + kernel - size)
    lo = total // 2
    return out, lo, total - lo


class SameConv(nn.Module):
    """ConvBlocks.conv: k x k convolution, 'same' padding, then ReLU; with batch norm: conv without bias, then BN.

    DL4J 1.0.0-M2.1's BatchNormalization layer never applies its activation function (its activate returns
    preOutput), so ConvBlocks puts a separate ReLU ActivationLayer after every batch norm. bn_relu=True mirrors that
    (the default); bn_relu=False mirrors builds before that fix, which had no ReLU after a batch-normalised conv.

    DL4J zero-pads (im2col / conv2d op with isSameMode); when the padding is symmetric it is passed to the conv,
    otherwise (odd total, extra row/column bottom/right) the input is zero-padded with F.pad first."""

    def __init__(self, cin, cout, kernel, stride, size, batch_norm, bn_relu=True):
        super().__init__()
        self.out_size, lo, hi = same_padding(size, kernel, stride)
        self.out_channels = cout
        sym = lo == hi
        self.pre_pad = None if sym or (lo == 0 and hi == 0) else (lo, hi, lo, hi)
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=lo if sym else 0, bias=not batch_norm)
        # DL4J BatchNormalization defaults: eps 1e-5, decay 0.9 (= torch momentum 0.1), gamma 1, beta 0.
        self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1) if batch_norm else None
        self.relu = not batch_norm or bn_relu

    def forward(self, x):
        if self.pre_pad is not None:
            x = F.pad(x, self.pre_pad)
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x) if self.relu else x


class SameMaxPool(nn.Module):
    """ConvBlocks.maxPool: k x k max pooling, 'same' mode. libnd4j's maxpool2d clips each window to the valid
    input (padding never wins: -inf semantics), which is what torch's implicit pooling padding does; asymmetric
    padding is done with F.pad(value=-inf) first."""

    def __init__(self, kernel, stride, size):
        super().__init__()
        self.out_size, lo, hi = same_padding(size, kernel, stride)
        self.kernel, self.stride = kernel, stride
        sym = lo == hi and lo <= kernel // 2
        self.padding = lo if sym else 0
        self.pre_pad = None if sym else (lo, hi, lo, hi)

    def forward(self, x):
        if self.pre_pad is not None:
            x = F.pad(x, self.pre_pad, value=float("-inf"))
        return F.max_pool2d(x, self.kernel, self.stride, self.padding)


# ---------------------------------------------------------------------------------------------------------------
# Backbones (kpff-core backbone/*.java); each forward returns the three taps, shallow to deep
# ---------------------------------------------------------------------------------------------------------------


class AlexNet(nn.Module):
    """conv 11/4 96, pool 3/2, conv 5 256, pool 3/2, conv 3 384 (tap), 384 (tap), 256 (tap)."""

    def __init__(self, size, width, bn):
        super().__init__()
        c = lambda n: channels(n, width)  # noqa: E731
        self.conv1 = SameConv(3, c(96), 11, 4, size, *bn)
        self.pool1 = SameMaxPool(3, 2, self.conv1.out_size)
        self.conv2 = SameConv(c(96), c(256), 5, 1, self.pool1.out_size, *bn)
        self.pool2 = SameMaxPool(3, 2, self.conv2.out_size)
        s = self.pool2.out_size
        self.conv3 = SameConv(c(256), c(384), 3, 1, s, *bn)
        self.conv4 = SameConv(c(384), c(384), 3, 1, s, *bn)
        self.conv5 = SameConv(c(384), c(256), 3, 1, s, *bn)
        self.tap_channels = [c(384), c(384), c(256)]

    def forward(self, x):
        x = self.pool2(self.conv2(self.pool1(self.conv1(x))))
        c3 = self.conv3(x)
        c4 = self.conv4(c3)
        c5 = self.conv5(c4)
        return [c3, c4, c5]


class Vgg16(nn.Module):
    """Five blocks of 3x3 convs (64x2, 128x2, 256x3, 512x3, 512x3), each ending in 2x2/2 max pooling; taps are
    the pooled outputs of blocks 3, 4, 5."""

    CHANNELS = [64, 128, 256, 512, 512]
    CONVS = [2, 2, 3, 3, 3]

    def __init__(self, size, width, bn):
        super().__init__()
        self.blocks = nn.ModuleList()
        self.tap_channels = []
        cin, s = 3, size
        for block, (ch, n) in enumerate(zip(self.CHANNELS, self.CONVS)):
            layers = []
            for _ in range(n):
                conv = SameConv(cin, channels(ch, width), 3, 1, s, *bn)
                layers.append(conv)
                cin, s = conv.out_channels, conv.out_size
            pool = SameMaxPool(2, 2, s)
            layers.append(pool)
            s = pool.out_size
            self.blocks.append(nn.Sequential(*layers))
            if block >= 2:
                self.tap_channels.append(channels(ch, width))

    def forward(self, x):
        taps = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i >= 2:
                taps.append(x)
        return taps


class InceptionModule(nn.Module):
    """ConvBlocks.inception: 1x1 | 1x1->3x3 | 1x1->5x5 | 3x3/1 max-pool->1x1, concatenated on channels in that
    order (MergeVertex)."""

    def __init__(self, cin, size, width, bn, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        c = lambda n: channels(n, width)  # noqa: E731
        self.b1 = SameConv(cin, c(c1), 1, 1, size, *bn)
        self.b2r = SameConv(cin, c(c3r), 1, 1, size, *bn)
        self.b2 = SameConv(c(c3r), c(c3), 3, 1, size, *bn)
        self.b3r = SameConv(cin, c(c5r), 1, 1, size, *bn)
        self.b3 = SameConv(c(c5r), c(c5), 5, 1, size, *bn)
        self.pool = SameMaxPool(3, 1, size)
        self.b4 = SameConv(cin, c(pp), 1, 1, size, *bn)
        self.out_channels = c(c1) + c(c3) + c(c5) + c(pp)
        self.out_size = size

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(self.b2r(x)), self.b3(self.b3r(x)), self.b4(self.pool(x))], 1)


class Inception(nn.Module):
    """GoogLeNet without auxiliary classifiers: stem (7x7/2 64, pool 3/2, 1x1 64, 3x3 192, pool 3/2), 3a, 3b (tap),
    pool 3/2, 4a-4d, 4e (tap), pool 3/2, 5a, 5b (tap)."""

    def __init__(self, size, width, bn):
        super().__init__()
        c = lambda n: channels(n, width)  # noqa: E731
        self.stem1 = SameConv(3, c(64), 7, 2, size, *bn)
        self.stem_pool1 = SameMaxPool(3, 2, self.stem1.out_size)
        self.stem2 = SameConv(c(64), c(64), 1, 1, self.stem_pool1.out_size, *bn)
        self.stem3 = SameConv(c(64), c(192), 3, 1, self.stem2.out_size, *bn)
        self.stem_pool2 = SameMaxPool(3, 2, self.stem3.out_size)
        cin, s = c(192), self.stem_pool2.out_size

        def module(args):
            nonlocal cin
            m = InceptionModule(cin, s, width, bn, *args)
            cin = m.out_channels
            return m

        self.i3a = module((64, 96, 128, 16, 32, 32))
        self.i3b = module((128, 128, 192, 32, 96, 64))
        t3 = cin
        self.pool3 = SameMaxPool(3, 2, s)
        s = self.pool3.out_size
        self.i4a = module((192, 96, 208, 16, 48, 64))
        self.i4b = module((160, 112, 224, 24, 64, 64))
        self.i4c = module((128, 128, 256, 24, 64, 64))
        self.i4d = module((112, 144, 288, 32, 64, 64))
        self.i4e = module((256, 160, 320, 32, 128, 128))
        t4 = cin
        self.pool4 = SameMaxPool(3, 2, s)
        s = self.pool4.out_size
        self.i5a = module((256, 160, 320, 32, 128, 128))
        self.i5b = module((384, 192, 384, 48, 128, 128))
        self.tap_channels = [t3, t4, cin]

    def forward(self, x):
        x = self.stem_pool2(self.stem3(self.stem2(self.stem_pool1(self.stem1(x)))))
        t3 = self.i3b(self.i3a(x))
        x = self.i4d(self.i4c(self.i4b(self.i4a(self.pool3(t3)))))
        t4 = self.i4e(x)
        t5 = self.i5b(self.i5a(self.pool4(t4)))
        return [t3, t4, t5]


BACKBONES = {"alexnet": AlexNet, "vgg16": Vgg16, "inception": Inception}

# ---------------------------------------------------------------------------------------------------------------
# Fusion head (head/FusionHead.java, fusion/KroneckerFusion*.java)
# ---------------------------------------------------------------------------------------------------------------


class KroneckerFusion(nn.Module):
    """y = sum_i w_i (x) x_i with learnable W [n, n] (column i = w_i): stacking X [B, n, r], Y[b] = W . X[b], and
    y [B, n*r] with y[b, k*r + c] = sum_i W[k, i] x_i[b, c] (KroneckerFusion.forwardInto). Autograd gives the
    same gradients as the hand-written eqs. 10 and 13."""

    def __init__(self, n, init="identity", seed=0):
        super().__init__()
        if init == "identity":  # w_i = e_i: starts as Concat (the default)
            w = torch.eye(n)
        elif init == "add":  # every column e_1: starts as Add followed by zeros
            w = torch.zeros(n, n)
            w[0, :] = 1.0
        elif init == "random":  # N(0, 1/n); a different RNG stream than ND4J's
            g = torch.Generator().manual_seed(seed)
            w = torch.randn(n, n, generator=g) / math.sqrt(n)
        else:
            raise ValueError("fusion init " + init)
        self.W = nn.Parameter(w)

    def forward(self, xs):
        x3 = torch.stack(xs, 1)  # [B, n, r], the Concat output viewed in three dimensions
        return torch.matmul(self.W, x3).reshape(x3.shape[0], -1)


class Net(nn.Module):
    """Backbone, then per used tap global average pooling and dense ReLU projection to r, fusion, dropout, dense
    softmax classifier (softmax + MCXENT = cross-entropy on logits). NONE uses the deepest tap only."""

    def __init__(self, backbone, size, width, r, method, classes, batch_norm=True, dropout=0.5,
                 fusion_init="identity", seed=42, bn_relu=True):
        super().__init__()
        # bn = (batch norm after every conv, ReLU after the batch norm) for every SameConv of the backbone
        self.backbone = BACKBONES[backbone](size, width, (batch_norm, bn_relu))
        taps = self.backbone.tap_channels
        self.used = [len(taps) - 1] if method == "none" else list(range(len(taps)))
        self.proj = nn.ModuleList([nn.Linear(taps[i], r) for i in self.used])
        self.method = method
        n = len(self.used)
        if method == "kpff":
            self.fuse = KroneckerFusion(n, fusion_init, seed ^ 0x5DEECE66D)
        fused = n * r if method in ("concat", "kpff") else r
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.output = nn.Linear(fused, classes)

    def forward(self, x):
        taps = self.backbone(x)
        ps = [F.relu(p(taps[i].mean(dim=(2, 3)))) for p, i in zip(self.proj, self.used)]
        if self.method == "none":
            y = ps[0]
        elif self.method == "add":
            y = ps[0]
            for p in ps[1:]:
                y = y + p
        elif self.method == "concat":
            y = torch.cat(ps, 1)
        else:
            y = self.fuse(ps)
        if self.dropout is not None:
            y = self.dropout(y)
        return self.output(y)  # logits; F.cross_entropy applies the softmax


def init_he(model):
    """WeightInit.RELU on every weight (N(0, 2/fan_in), fan_in = C_in*k*k or n_in); biases 0; BN gamma 1,
    beta 0 (torch defaults); the KPFF W keeps its fusion init."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            with torch.no_grad():
                m.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.zero_()


def param_groups(model, weight_decay):
    """DL4J .l2(wd) regularises weight parameters only: conv/dense/output weights and the KPFF W
    (SameDiffVertex weight param). Biases (l2Bias unset) and batch-norm gamma/beta (no regularisation) get none."""
    decay, no_decay = [], []
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            decay.append(m.weight)
            if m.bias is not None:
                no_decay.append(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            no_decay += [m.weight, m.bias]
        elif isinstance(m, KroneckerFusion):
            decay.append(m.W)
    assert len(decay) + len(no_decay) == len(list(model.parameters()))
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def count_params(model):
    trainable = sum(p.numel() for p in model.parameters())
    bn_stats = sum(m.running_mean.numel() + m.running_var.numel()
                   for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    return trainable + bn_stats, trainable


def describe(model, size, batch):
    """Shapes of the taps and parameters per top-level block, on stderr."""
    with torch.no_grad():
        model.eval()
        taps = model.backbone(torch.zeros(min(batch, 2), 3, size, size))
    print("taps: " + ", ".join(str(list(t.shape[1:])) for t in taps), file=sys.stderr)
    for name, child in model.named_children():
        if isinstance(child, (Vgg16, AlexNet, Inception)):
            for n2, c2 in child.named_children():
                print("  backbone.%-12s %10d" % (n2, count_params(c2)[0]), file=sys.stderr)
        else:
            print("  %-21s %10d" % (name, count_params(child)[0]), file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backbone", choices=sorted(BACKBONES), required=True)
    ap.add_argument("--size", type=int, required=True, help="square input side S")
    ap.add_argument("--width", type=float, required=True, help="backbone width multiplier")
    ap.add_argument("--r", type=int, required=True, help="projection width r")
    ap.add_argument("--method", choices=["none", "add", "concat", "kpff"], default="kpff")
    ap.add_argument("--classes", type=int, default=21)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps")
    ap.add_argument("--warmup-seconds", type=float, default=0.0,
                    help="untimed seconds at least (with --warmup: whichever is longer)")
    ap.add_argument("--seconds", type=float, default=20.0, help="time at least this long (and at least 5 steps)")
    ap.add_argument("--min-steps", type=int, default=5)
    ap.add_argument("--batch-norm", dest="batch_norm", action="store_true", default=True,
                    help="BN after every conv (model.batch-norm, default true)")
    ap.add_argument("--no-batch-norm", dest="batch_norm", action="store_false")
    ap.add_argument("--bn-relu", dest="bn_relu", action="store_true", default=True,
                    help="ReLU after each batch norm (default): kpff-core puts an ActivationLayer after every batch "
                         "norm, because DL4J 1.0.0-M2.1's BatchNormalization layer ignores its own activation")
    ap.add_argument("--no-bn-relu", dest="bn_relu", action="store_false",
                    help="no ReLU after batch norm: the network kpff-core built before that fix (2026-11-25)")
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--fusion-init", choices=["identity", "add", "random"], default="identity")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--build-only", action="store_true", help="build and count parameters, no training steps")
    ap.add_argument("--describe", action="store_true", help="tap shapes and parameters per block on stderr")
    a = ap.parse_args(argv)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Net(a.backbone, a.size, a.width, a.r, a.method, a.classes, a.batch_norm, a.dropout, a.fusion_init,
                a.seed, a.bn_relu)
    init_he(model)
    params, trainable = count_params(model)
    # ComputationGraph.numParams() sums layers only, so it leaves out the KPFF vertex's n x n W (which params()
    # and paramTable() hold): checked with DL4J 1.0.0-M2.1 (alexnet 224/1.0/256 kpff: 4,030,389 vs 4,030,398).
    fusion = model.fuse.W.numel() if a.method == "kpff" else 0
    if a.describe:
        describe(model, a.size, a.batch)

    out = {"framework": "pytorch", "torch": torch.__version__, "backbone": a.backbone, "size": a.size,
           "width": a.width, "r": a.r, "method": a.method, "batch": a.batch, "threads": a.threads,
           "batch_norm": a.batch_norm, "bn_relu": a.bn_relu and a.batch_norm,
           "params": params, "dl4j_numParams": params - fusion, "trainable_params": trainable}
    if a.build_only:
        out.update({"steps": 0, "seconds": 0.0, "images_per_s": None, "step_ms_median": None})
        print(json.dumps(out))
        return 0

    opt = torch.optim.Adam(param_groups(model, a.weight_decay), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    x = torch.randn(a.batch, 3, a.size, a.size, dtype=torch.float32)
    y = torch.randint(0, a.classes, (a.batch,))
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    warm_start = time.perf_counter()
    warmed = 0
    while warmed < a.warmup or time.perf_counter() - warm_start < a.warmup_seconds:
        step()
        warmed += 1
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        if total >= a.seconds and len(times) >= a.min_steps:
            break
    if not math.isfinite(loss.item()):
        print("warning: non-finite loss %s" % loss.item(), file=sys.stderr)
    out.update({"steps": len(times), "seconds": round(total, 3),
                "images_per_s": round(len(times) * a.batch / total, 2),
                "step_ms_median": round(1000 * statistics.median(times), 2)})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
