"""Prints the short tables that end a GPU run: test counts, the launch
overhead of kdsl, raw cuLaunchKernel and Triton, and the memory-bound
kernels against the copy bandwidth, PyTorch and Triton (also written to
OUTDIR/kernels.md, ready for a note).

    python3 summary.py OUTDIR
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# (benchmark row, what it is, share of copy bandwidth aimed at, the rows
# whose best time counts as kdsl's: the kernel and its several-rows form).
KERNELS = [
    ("vector_add_2^26", "vector add f32 2^26", 0.90),
    ("softmax_4096x1024", "softmax 4096x1024", 0.85),
    ("softmax_4096x4096", "softmax 4096x4096", 0.85),
    ("softmax_4096x16384", "softmax 4096x16384", 0.85),
    ("layer_norm_4096x1024", "layer norm 4096x1024", 0.85),
    ("layer_norm_4096x4096", "layer norm 4096x4096", 0.85),
]


def kernel_table(out):
    """The memory-bound kernels as markdown lines, or [] without results."""
    ours = load(os.path.join(out, "kernels-kdsl.json"))
    theirs = load(os.path.join(out, "kernels-torch-triton.json")) or {"rows": []}
    if not ours:
        return []
    by_name = {r["name"]: r for r in ours["rows"]}
    copy = by_name.get("copy_1GiB", {}).get("GBps")
    impl = {(r["name"], r["impl"]): r for r in theirs["rows"]}
    lines = [
        f"{ours['device']}; device-to-device copy "
        + (f"{copy:.0f} GB/s" if copy else "not measured") + ".",
        "",
        "| kernel | kdsl us | GB/s | % copy | target | PyTorch us | Triton us "
        "| meets it | kdsl kernel and config |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    fmt = lambda r: f"{r['ms'] * 1e3:.1f}" if r else "-"
    for name, what, target in KERNELS:
        kernel = name.split("_4096x")[0]
        candidates = [by_name[n] for n in
                      (name, name.replace(kernel, kernel + "_rows"))
                      if n in by_name]
        if not candidates:
            continue
        best = min(candidates, key=lambda r: r["ms"])
        share = best["GBps"] / copy if copy else None
        triton = impl.get((name, "triton"))
        verdict = []
        if share is None:
            verdict.append("no copy bandwidth to compare with")
        elif share < target:
            verdict.append(f"below {target:.0%}")
        # Slower only where the p20-p80 ranges do not overlap.
        if triton and best["p20"] > triton["p80"]:
            verdict.append("slower than Triton")
        which = best["name"].split("_4096x")[0].split("_2^")[0]
        lines.append(
            f"| {what} | {fmt(best)} | {best['GBps']:.0f} | "
            + (f"{share:.0%}" if share is not None else "-")
            + f" | {target:.0%} | {fmt(impl.get((name, 'torch')))} | "
            f"{fmt(triton)} | {'no: ' + ', '.join(verdict) if verdict else 'yes'}"
            f" | {which}: {best['config']} |")
    return lines


def main():
    out = sys.argv[1]
    tests = load(os.path.join(out, "gpu-tests.json"))
    if tests:
        skipped = sum(1 for s in tests["testsuites"] for t in s["testsuite"]
                      if t.get("result") == "SKIPPED")
        print(f"GPU tests: {tests['tests']} run, {tests['failures']} failed, "
              f"{skipped} skipped")
    ours = load(os.path.join(out, "launch-kdsl.json")) or {}
    triton = load(os.path.join(out, "launch-triton.json")) or {}
    launches = dict(ours.get("launch_us", {}))
    launches.update(triton.get("launch_us", {}))
    if ours:
        print(f"device: {ours['device']}")
    print(f"{'kernel':8s} {'raw us':>8s} {'kdsl us':>8s} {'triton us':>10s} "
          f"{'kdsl/raw':>9s} {'triton/raw':>11s}")
    for kernel in ("empty4", "empty16"):
        raw = launches.get(f"{kernel}/raw", {}).get("median")
        kd = launches.get(f"{kernel}/kdsl", {}).get("median")
        tr = launches.get(f"{kernel}/triton", {}).get("median")
        fmt = lambda v: f"{v:.3f}" if v is not None else "-"
        ratio = lambda v: f"{v / raw:.2f}x" if v is not None and raw else "-"
        print(f"{kernel:8s} {fmt(raw):>8s} {fmt(kd):>8s} {fmt(tr):>10s} "
              f"{ratio(kd):>9s} {ratio(tr):>11s}")
    if ours.get("copy_GBps"):
        print(f"device-to-device copy: {ours['copy_GBps']['median']:.0f} GB/s "
              "(read + written)")
    table = kernel_table(out)
    if table:
        print()
        print("\n".join(table))
        with open(os.path.join(out, "kernels.md"), "w") as f:
            f.write("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
