"""PyTorch and Triton on the shapes of KernelBench.cpp, timed the same way
(triton.testing.do_bench: CUDA events, L2 flushed before each repetition;
median with p20 and p80). The Triton kernels are the tutorials' fused
softmax (02) and layer norm forward (05), and the vector add of tutorial 01.

    python3 torch_triton.py OUT.json
"""
import json
import sys

import torch
import triton
import triton.language as tl
from triton.testing import do_bench


@triton.jit
def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(out_ptr + offs, tl.load(x_ptr + offs, mask=mask) +
             tl.load(y_ptr + offs, mask=mask), mask=mask)


@triton.jit
def softmax_kernel(out_ptr, in_ptr, in_stride, out_stride, n_rows, n_cols,
                   BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(in_ptr + row * in_stride + cols, mask=mask, other=-float("inf"))
    x = x - tl.max(x, axis=0)
    num = tl.exp(x)
    tl.store(out_ptr + row * out_stride + cols, num / tl.sum(num, axis=0),
             mask=mask)


@triton.jit
def layer_norm_fwd(X, Y, W, B, stride, N, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    X += row * stride
    Y += row * stride
    mean = tl.zeros([BLOCK], dtype=tl.float32)
    for off in range(0, N, BLOCK):
        cols = off + tl.arange(0, BLOCK)
        mean += tl.load(X + cols, mask=cols < N, other=0.).to(tl.float32)
    mean = tl.sum(mean, axis=0) / N
    var = tl.zeros([BLOCK], dtype=tl.float32)
    for off in range(0, N, BLOCK):
        cols = off + tl.arange(0, BLOCK)
        x = tl.load(X + cols, mask=cols < N, other=0.).to(tl.float32)
        x = tl.where(cols < N, x - mean, 0.)
        var += x * x
    var = tl.sum(var, axis=0) / N
    rstd = 1 / tl.sqrt(var + eps)
    for off in range(0, N, BLOCK):
        cols = off + tl.arange(0, BLOCK)
        mask = cols < N
        w = tl.load(W + cols, mask=mask)
        b = tl.load(B + cols, mask=mask)
        x = tl.load(X + cols, mask=mask, other=0.).to(tl.float32)
        tl.store(Y + cols, (x - mean) * rstd * w + b, mask=mask)


def softmax_triton(x):
    n_rows, n_cols = x.shape
    BLOCK = triton.next_power_of_2(n_cols)
    num_warps = 4 if BLOCK < 2048 else (8 if BLOCK < 4096 else 16)
    y = torch.empty_like(x)
    softmax_kernel[(n_rows,)](y, x, x.stride(0), y.stride(0), n_rows, n_cols,
                              BLOCK=BLOCK, num_warps=num_warps)
    return y


def layer_norm_triton(x, w, b, eps=1e-5):
    M, N = x.shape
    y = torch.empty_like(x)
    BLOCK = min(65536 // x.element_size(), triton.next_power_of_2(N))
    num_warps = min(max(BLOCK // 256, 1), 8)
    layer_norm_fwd[(M,)](x, y, w, b, x.stride(0), N, eps, BLOCK=BLOCK,
                         num_warps=num_warps)
    return y


def bench(fn):
    ms = do_bench(fn, warmup=25, rep=100, quantiles=[0.5, 0.2, 0.8])
    return {"ms": ms[0], "p20": ms[1], "p80": ms[2]}


def main():
    rows = []

    def add(name, impl, bytes_, fn):
        r = bench(fn)
        r.update(name=name, impl=impl, GBps=bytes_ / (r["ms"] * 1e-3) / 1e9)
        rows.append(r)
        print(f"{name:22s} {impl:7s} {r['ms']:8.4f} ms  {r['GBps']:7.0f} GB/s")

    n = 1 << 28
    a = torch.randn(n, device="cuda")
    b = torch.empty_like(a)
    add("copy_1GiB", "torch", 2.0 * n * 4, lambda: b.copy_(a))
    del a, b

    n = 1 << 26
    x, y = torch.randn(n, device="cuda"), torch.randn(n, device="cuda")
    out = torch.empty_like(x)
    add("vector_add_2^26", "torch", 3.0 * n * 4, lambda: torch.add(x, y, out=out))
    add("vector_add_2^26", "triton", 3.0 * n * 4,
        lambda: add_kernel[(triton.cdiv(n, 1024),)](x, y, out, n, BLOCK=1024))
    for cols in (1024, 4096, 16384):
        x = torch.randn(4096, cols, device="cuda")
        bytes_ = 2.0 * x.numel() * 4
        add(f"softmax_4096x{cols}", "torch", bytes_,
            lambda: torch.softmax(x, dim=1))
        add(f"softmax_4096x{cols}", "triton", bytes_, lambda: softmax_triton(x))
    for cols in (1024, 4096):
        x = torch.randn(4096, cols, device="cuda")
        w, bb = torch.randn(cols, device="cuda"), torch.randn(cols, device="cuda")
        bytes_ = 2.0 * x.numel() * 4 + 2.0 * cols * 4
        add(f"layer_norm_4096x{cols}", "torch", bytes_,
            lambda: torch.nn.functional.layer_norm(x, (cols,), w, bb, 1e-5))
        add(f"layer_norm_4096x{cols}", "triton", bytes_,
            lambda: layer_norm_triton(x, w, bb))
    json.dump({"device": torch.cuda.get_device_name(),
               "torch": torch.__version__, "triton": triton.__version__,
               "rows": rows}, open(sys.argv[1], "w"), indent=1)


if __name__ == "__main__":
    main()
