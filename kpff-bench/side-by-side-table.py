#!/usr/bin/env python3
"""Markdown table of kpff-bench/side-by-side.sh's JSON lines (one or more files): images/s per framework, speed-up
over the baseline build, ratio to PyTorch, and whether the parameter counts agree (they must: the same network).
A network measured several times (repeated runs) shows the median images/s of each framework and the run count.
Rows are per network and thread count; where a network was measured at 1 and 2 threads, a second table gives
2 threads / 1 thread for each framework (above 1: the second thread helps)."""
import json
import sys


def median_row(runs):
    ordered = sorted(runs, key=lambda r: r["images_per_s"])
    row = dict(ordered[len(ordered) // 2])
    if len(ordered) % 2 == 0:
        row["images_per_s"] = (ordered[len(ordered) // 2 - 1]["images_per_s"] + row["images_per_s"]) / 2
    row["runs"] = len(ordered)
    return row


def main(paths):
    runs = {}
    order = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                key = (r["backbone"], r["size"], float(r["width"]), r["r"], str(r.get("threads", "?")))
                if key not in runs:
                    runs[key] = {}
                    order.append(key)
                runs[key].setdefault(r["framework"], []).append(r)
    rows = {k: {fw: median_row(v) for fw, v in fws.items()} for k, fws in runs.items()}
    print("| network | threads | runs | baseline img/s | this build img/s | engine | speed-up | PyTorch img/s "
          "| this build / PyTorch | params equal |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for key in order:
        fw = rows[key]
        b, size, width, r, threads = key
        base, cur, pt = fw.get("baseline"), fw.get("dl4j"), fw.get("pytorch")
        def ips(x):
            return f"{x['images_per_s']:,.1f}" if x else "–"
        speedup = f"{cur['images_per_s'] / base['images_per_s']:.2f}×" if cur and base else "–"
        ratio = f"{cur['images_per_s'] / pt['images_per_s']:.2f}×" if cur and pt else "–"
        params = "–"
        if cur and pt:
            params = "yes" if cur["params"] == pt["params"] else f"NO ({cur['params']} vs {pt['params']})"
        count = max(x["runs"] for x in (base, cur, pt) if x)
        engine = cur["engine"] if cur else "–"
        if cur and str(cur.get("threads_used", threads)) != threads:
            engine += f" (on {cur['threads_used']} of {threads} threads)"
        print(f"| {b} {size} px w{width:g} r{r} | {threads} | {count} | {ips(base)} | {ips(cur)} | "
              f"{engine} | {speedup} | {ips(pt)} | {ratio} | {params} |")
    pairs = [(k, k[:4] + ("2",)) for k in order if k[4] == "1" and k[:4] + ("2",) in rows]
    if pairs:
        print()
        print("| network | this build 1 thread | 2 threads | 2 / 1 | PyTorch 1 thread | 2 threads | 2 / 1 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for one, two in pairs:
            cells = []
            for fw in ("dl4j", "pytorch"):
                a, b2 = rows[one].get(fw), rows[two].get(fw)
                cells += [f"{a['images_per_s']:,.1f}" if a else "–", f"{b2['images_per_s']:,.1f}" if b2 else "–",
                          f"{b2['images_per_s'] / a['images_per_s']:.2f}×" if a and b2 else "–"]
            b, size, width, r, _ = one
            print(f"| {b} {size} px w{width:g} r{r} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
