#!/usr/bin/env python3
"""Train cells of a run in PyTorch (CPU) on the same folds, to check the job's accuracies against PyTorch.

The job's cells train kpff-core networks in DL4J. This script trains the same network (train_step.Net: layers,
'same' padding, batch norm, He init, head, KPFF W) with the same protocol on the same images and folds:

  * the folds of a run: a CSV with columns image,label,fold (the run's folds.parquet, exported; see README.md);
  * per-channel normalisation from the training fold's pixels (Normalization.fromTraining: population std);
  * batch 50, a fresh shuffle of the training fold every epoch, the last batch smaller (ImageBatchIterator);
  * Adam(lr, 0.9, 0.999, 1e-8) with L2 added to the gradients of the weights only (train_step.param_groups);
  * dropout 0.5 before the classifier; evaluation in inference mode (batch-norm running statistics) every
    --eval-every epochs and after the last.

It prints one JSON line per evaluation on stdout: backbone, method, fold, epoch, train_loss (mean over the epoch's
batches), val_loss, val_accuracy. Random streams are PyTorch's, not ND4J's, so single cells differ from the job's;
means over folds are what to compare.
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import train_step


def load(data_dir, folds_csv, size):
    """Images as uint8 [N, 3, size, size], labels as int64 (classes in sorted order), folds as int64."""
    rows = list(csv.DictReader(open(folds_csv, newline="")))
    if not rows or not {"image", "label", "fold"} <= set(rows[0]):
        raise SystemExit("%s: needs a header with columns image,label,fold" % folds_csv)
    classes = sorted({r["label"] for r in rows})
    xs = np.empty((len(rows), 3, size, size), dtype=np.uint8)
    for i, r in enumerate(rows):
        img = Image.open(os.path.join(data_dir, r["image"])).convert("RGB")
        if img.size != (size, size):
            raise SystemExit("%s is %dx%d, not %dx%d: use the data copy the run used (data.input-size)"
                             % (r["image"], img.size[0], img.size[1], size, size))
        xs[i] = np.asarray(img).transpose(2, 0, 1)
    ys = np.array([classes.index(r["label"]) for r in rows], dtype=np.int64)
    folds = np.array([int(r["fold"]) for r in rows], dtype=np.int64)
    return torch.from_numpy(xs), torch.from_numpy(ys), torch.from_numpy(folds), len(classes)


def normalise(x_uint8, train_idx):
    """(v/255 - mean[c]) / std[c], mean and population std over every training-fold pixel per channel."""
    x = x_uint8.float() / 255.0
    t = x[train_idx]
    mean = t.mean(dim=(0, 2, 3), keepdim=True)
    std = t.permute(1, 0, 2, 3).reshape(3, -1).std(dim=1, unbiased=False).view(1, 3, 1, 1)
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    return (x - mean) / std


def evaluate(model, x, y, batch):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for s in range(0, len(y), batch):
            logits = model(x[s:s + batch])
            loss += F.cross_entropy(logits, y[s:s + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[s:s + batch]).sum().item()
    model.train()
    return loss / len(y), correct / len(y)


def run_cell(a, x_all, y_all, folds, classes, method, fold):
    test = (folds == fold).nonzero().flatten()
    train = (folds != fold).nonzero().flatten()
    x = normalise(x_all, train)
    seed = a.seed * 1000003 + fold * 101 + ["none", "add", "concat", "kpff"].index(method)
    torch.manual_seed(seed)
    model = train_step.Net(a.backbone, a.size, a.width, a.r, method, classes, True, a.dropout, "identity", a.seed)
    train_step.init_he(model)
    groups = train_step.param_groups(model, a.weight_decay)
    if method == "kpff" and a.fusion_lr_scale != 1.0:
        # model.fusion-lr-scale: W alone learns at scale x lr, still with L2
        groups[0]["params"] = [p for p in groups[0]["params"] if p is not model.fuse.W]
        groups.append({"params": [model.fuse.W], "weight_decay": a.weight_decay, "lr": a.lr * a.fusion_lr_scale})
    opt = torch.optim.Adam(groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    t0 = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        order = train[torch.randperm(len(train), generator=gen)]
        total, batches = 0.0, 0
        for s in range(0, len(order), a.batch):
            idx = order[s:s + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), y_all[idx])
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
        if epoch % a.eval_every == 0 or epoch == a.epochs:
            val_loss, val_acc = evaluate(model, x[test], y_all[test], a.batch)
            print(json.dumps({"framework": "pytorch", "backbone": a.backbone, "method": method, "fold": fold,
                              "epoch": epoch, "train_loss": round(total / batches, 5),
                              "val_loss": round(val_loss, 5), "val_accuracy": round(val_acc, 5),
                              "seconds": round(time.perf_counter() - t0, 1)}), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="image root (class folders), the copy the run used")
    ap.add_argument("--folds-csv", required=True, help="image,label,fold rows: the run's folds.parquet as CSV")
    ap.add_argument("--backbone", choices=sorted(train_step.BACKBONES), required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--width", type=float, required=True)
    ap.add_argument("--r", type=int, required=True)
    ap.add_argument("--methods", default="none,add,concat,kpff")
    ap.add_argument("--folds", default=None, help="comma-separated folds to run (default: all in the CSV)")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--eval-every", type=int, default=2)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--fusion-lr-scale", type=float, default=1.0)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args(argv)
    for name in ("epochs", "eval_every", "batch", "threads"):
        if getattr(a, name) < 1:
            ap.error("--%s = %d (must be >= 1)" % (name.replace("_", "-"), getattr(a, name)))
    methods = a.methods.split(",")
    for m in methods:
        if m not in ("none", "add", "concat", "kpff"):
            ap.error("--methods: %r is not one of none, add, concat, kpff" % m)
    torch.set_num_threads(a.threads)
    x_all, y_all, folds, classes = load(a.data, a.folds_csv, a.size)
    fold_ids = sorted(set(folds.tolist())) if a.folds is None else [int(f) for f in a.folds.split(",")]
    for fold in fold_ids:
        for method in methods:
            run_cell(a, x_all, y_all, folds, classes, method, fold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
