#!/usr/bin/env python3
"""Markdown table of kpff-bench/side-by-side.sh's JSON lines: images/s per framework, speed-up over the baseline
build, ratio to PyTorch, and whether the parameter counts agree (they must: the same network)."""
import json
import sys


def main(path):
    rows = {}
    order = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            key = (r["backbone"], r["size"], float(r["width"]), r["r"])
            if key not in rows:
                rows[key] = {}
                order.append(key)
            rows[key][r["framework"]] = r
    print("| network | batch | baseline img/s | this build img/s | engine | speed-up | PyTorch img/s "
          "| this build / PyTorch | params equal |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|")
    for key in order:
        fw = rows[key]
        b, size, width, r = key
        base, cur, pt = fw.get("baseline"), fw.get("dl4j"), fw.get("pytorch")
        def ips(x):
            return f"{x['images_per_s']:,.1f}" if x else "–"
        speedup = f"{cur['images_per_s'] / base['images_per_s']:.2f}×" if cur and base else "–"
        ratio = f"{cur['images_per_s'] / pt['images_per_s']:.2f}×" if cur and pt else "–"
        params = "–"
        if cur and pt:
            params = "yes" if cur["params"] == pt["params"] else f"NO ({cur['params']} vs {pt['params']})"
        batch = (cur or base or pt)["batch"]
        print(f"| {b} {size} px w{width:g} r{r} | {batch} | {ips(base)} | {ips(cur)} | "
              f"{cur['engine'] if cur else '–'} | {speedup} | {ips(pt)} | {ratio} | {params} |")


if __name__ == "__main__":
    main(sys.argv[1])
