"""Host time per launch of empty @triton.jit kernels with 4 and 16
parameters, timed as bench/launch/LaunchOverhead.cpp times kdsl's: batches of
256 asynchronous launches on the host clock, synchronized between batches
(untimed), median over 200 batches with p20 and p80.

    python3 triton_launch.py OUT.json
"""
import json
import sys
import time

import torch
import triton
import triton.language as tl


@triton.jit
def empty4(a, b, n, m, BLOCK: tl.constexpr):
    pass


@triton.jit
def empty16(a0, a1, a2, a3, a4, a5, a6, a7, n, m0, m1, m2, m3, m4, m5, m6,
            BLOCK: tl.constexpr):
    pass


def time_launches(launch_one, batch=256, batches=200):
    for _ in range(2000):
        launch_one()
    torch.cuda.synchronize()
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(batch):
            launch_one()
        end = time.perf_counter()
        torch.cuda.synchronize()
        samples.append((end - start) / batch * 1e6)
    samples.sort()
    at = lambda q: samples[int(q * (len(samples) - 1) + 0.5)]
    return {"median": at(0.5), "p20": at(0.2), "p80": at(0.8)}


def main():
    a = torch.empty(1024, device="cuda", dtype=torch.float32)
    results = {
        "empty4/triton": time_launches(
            lambda: empty4[(1,)](a, a, 1024, 1, BLOCK=1024)),
        "empty16/triton": time_launches(
            lambda: empty16[(1,)](a, a, a, a, a, a, a, a, 1024, 1, 1, 1, 1, 1,
                                  1, 1, BLOCK=1024)),
    }
    out = {"device": torch.cuda.get_device_name(), "triton": triton.__version__,
           "torch": torch.__version__, "launch_us": results}
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=2)
    for key, s in results.items():
        print(f"{key:16s} median {s['median']:.3f} us  p20 {s['p20']:.3f}  "
              f"p80 {s['p80']:.3f}")


if __name__ == "__main__":
    main()
