"""Prints the short table that ends a GPU run: test counts and the launch
overhead of kdsl, raw cuLaunchKernel and Triton.

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


if __name__ == "__main__":
    main()
