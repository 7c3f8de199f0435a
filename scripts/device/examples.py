"""Every example kernel on the GPU, against the reference interpreter.

On the build machine (scripts/device/pack.sh runs it):
    python3 examples.py prepare OUTDIR BIN
  compiles each example to a .kpack with BIN/kdslc, draws random inputs,
  poisons the outputs (NaN, or -777 for integers) and runs the interpreter
  (kdslc run --backend interp) to get the expected outputs.

On the GPU machine (run.sh runs it):
    python3 examples.py check DIR BIN
  runs each case with BIN/kdsl-launch on fresh copies of the poisoned
  outputs and compares: integers exactly, floats within the case's
  tolerance, and a NaN where the reference has none never passes.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

EX = "examples/kernels"


def f32(*shape):
    return ("f32", shape)


class Case:
    def __init__(self, name, file, kernel, inputs, outputs, scalars,
                 kpack=None, config=None, grid=None, rtol=1e-5, atol=1e-6,
                 init=None, launches=None):
        self.name, self.file, self.kernel = name, file, kernel
        self.inputs, self.outputs, self.scalars = inputs, outputs, scalars
        self.kpack, self.config, self.grid = kpack, config, grid
        self.rtol, self.atol = rtol, atol
        self.init = init or {}
        # Text kdsl-launch must print (the specialization it chose).
        self.launches = launches


def cases():
    n = 100003
    r, c = 37, 1000
    return [
        Case("vector_add", "vector_add.kdsl", "vector_add",
             {"x": f32(n), "y": f32(n)}, {"out": f32(n)}, {"n": n}),
        Case("vector_add_b1024", "vector_add.kdsl", "vector_add",
             {"x": f32(n), "y": f32(n)}, {"out": f32(n)}, {"n": n},
             config="BLOCK=1024,num_warps=4"),
        Case("softmax", "softmax.kdsl", "softmax",
             {"inp": f32(r, c)}, {"out": f32(r, c)},
             {"n_rows": r, "n_cols": c, "stride": c},
             kpack="BLOCK=1024", config="num_warps=4", rtol=1e-4, atol=1e-7),
        # Sizes divisible by 16 launch the div16 variants (masks constant
        # across vectors); the cases above, with tails, the align16 ones.
        Case("vector_add_div16", "vector_add.kdsl", "vector_add",
             {"x": f32(1 << 17), "y": f32(1 << 17)}, {"out": f32(1 << 17)},
             {"n": 1 << 17}, config="BLOCK=1024,num_warps=4",
             launches="n:div16"),
        Case("softmax_div16", "softmax.kdsl", "softmax",
             {"inp": f32(r, 1024)}, {"out": f32(r, 1024)},
             {"n_rows": r, "n_cols": 1024, "stride": 1024},
             kpack="BLOCK=1024", config="num_warps=4", rtol=1e-4, atol=1e-7,
             launches="n_cols:div16"),
        Case("layer_norm_div16", "layer_norm.kdsl", "layer_norm",
             {"x": f32(r, 1024), "w": f32(1024), "b": f32(1024)},
             {"y": f32(r, 1024)},
             {"n_rows": r, "n_cols": 1024, "stride": 1024, "eps": 1e-5},
             kpack="BLOCK=1024", config="num_warps=8", rtol=1e-4, atol=1e-5,
             launches="n_cols:div16"),
        Case("softmax_rows", "softmax_rows.kdsl", "softmax_rows",
             {"inp": f32(r, c)}, {"out": f32(r, c)},
             {"n_rows": r, "n_cols": c, "stride": c},
             kpack="n_cols=1000", config="ROWS=4,num_warps=4", rtol=1e-4,
             atol=1e-7),
        Case("layer_norm_rows", "layer_norm_rows.kdsl", "layer_norm_rows",
             {"x": f32(r, c), "w": f32(c), "b": f32(c)}, {"y": f32(r, c)},
             {"n_rows": r, "n_cols": c, "stride": c, "eps": 1e-5},
             kpack="n_cols=1000", config="ROWS=4,num_warps=4", rtol=1e-4,
             atol=1e-5),
        Case("layer_norm", "layer_norm.kdsl", "layer_norm",
             {"x": f32(r, c), "w": f32(c), "b": f32(c)}, {"y": f32(r, c)},
             {"n_rows": r, "n_cols": c, "stride": c, "eps": 1e-5},
             kpack="BLOCK=1024", config="num_warps=8", rtol=1e-4, atol=1e-5),
        Case("bias_gelu", "gelu.kdsl", "bias_gelu",
             {"x": ("f16", (33, 700)), "bias": ("f16", (700,))},
             {"y": ("f16", (33, 700))}, {"n_rows": 33, "n_cols": 700},
             kpack="APPROX=false|true", config="APPROX=true", rtol=1e-2,
             atol=1e-2),
        Case("activation_silu_gated", "activations.kdsl", "activation",
             {"x": f32(n), "gate": f32(n)}, {"y": f32(n)}, {"n": n},
             kpack="ACT=4,GATED=true", config="ACT=4,GATED=true", rtol=1e-4,
             atol=1e-6),
        Case("transpose", "transpose.kdsl", "transpose",
             {"src": f32(100, 70)}, {"dst": f32(70, 100)},
             {"M": 100, "N": 70, "s_src": 70, "s_dst": 100}),
        Case("row_argmax", "row_argmax.kdsl", "row_argmax",
             {"x": f32(20, 1000)},
             {"max_val": f32(20), "max_idx": ("i32", (20,)),
              "min_val": f32(20), "min_idx": ("i32", (20,))},
             {"n_rows": 20, "n_cols": 1000, "stride": 1000}),
        Case("atomic_tickets", "test/kernels/atomics.kdsl", "atomic_tickets",
             {}, {"counters": ("i32", (36,)), "out": ("i32", (32, 32)),
                  "first": ("i32", (4, 128))}, {}, init={"counters": 0}),
        Case("strided_sum", "test/kernels/strided_sum.kdsl", "strided_sum",
             {"x": f32(37, 100)}, {"out": f32(100)},
             {"n_rows": 37, "n_cols": 100}, kpack="num_stages=3",
             config="num_stages=3", rtol=1e-5, atol=1e-5),
        Case("histogram", "histogram.kdsl", "histogram",
             {"data": f32(10000)}, {"bins": ("i32", (64,))},
             {"n": 10000, "n_bins": 64, "lo": -1.5, "inv_width": 20.0},
             grid="5", init={"bins": 0}),
        Case("col_mean", "col_mean.kdsl", "col_mean",
             {"x": f32(2, 100, 300)}, {"out": f32(2, 300)},
             {"batch": 2, "n_rows": 100, "n_cols": 300}, init={"out": 0},
             rtol=1e-4, atol=1e-6),
        Case("dropout", "dropout.kdsl", "dropout",
             {"x": f32(n)}, {"y": f32(n), "keep_mask": ("i8", (n,))},
             {"n": n, "p16": 19661, "scale": 1.4285714, "seed": 1234}),
        Case("rope", "rope.kdsl", "rope",
             {"x": f32(2, 16, 4, 64)}, {"y": f32(2, 16, 4, 64)},
             {"batch": 2, "seq": 16, "n_heads": 4, "base": 10000.0},
             kpack="HALF=32", config="HALF=32", rtol=1e-4, atol=1e-5),
        Case("matmul", "matmul.kdsl", "matmul",
             {"a": ("f16", (100, 70)), "b": ("f16", (70, 90))},
             {"c": f32(100, 90)},
             {"M": 100, "N": 90, "K": 70, "sam": 70, "sak": 1, "sbk": 90,
              "sbn": 1, "scm": 90, "scn": 1},
             kpack="BM=64,BN=64,BK=32,num_warps=4",
             config="BM=64,BN=64,BK=32,num_warps=4", rtol=1e-4, atol=1e-4),
        # Unit strides along the rows and sizes divisible by 16 launch the
        # unit variant (vector loads and stores); N leaves a tail in BN.
        Case("matmul_unit", "matmul.kdsl", "matmul",
             {"a": ("f16", (128, 64)), "b": ("f16", (64, 80))},
             {"c": f32(128, 80)},
             {"M": 128, "N": 80, "K": 64, "sam": 64, "sak": 1, "sbk": 80,
              "sbn": 1, "scm": 80, "scn": 1},
             kpack="BM=64,BN=64,BK=32,num_warps=4",
             config="BM=64,BN=64,BK=32,num_warps=4", rtol=1e-4, atol=1e-4,
             launches="sak:eq1"),
        Case("matmul_bias_relu", "matmul_bias_relu.kdsl", "matmul_bias_relu",
             {"a": ("bf16", (100, 70)), "b": ("bf16", (70, 90)),
              "bias": f32(90)},
             {"c": ("bf16", (100, 90))},
             {"M": 100, "N": 90, "K": 70, "lda": 70, "ldb": 90, "ldc": 90},
             kpack="BM=64,BN=64,BK=32,num_warps=4,num_stages=2",
             config="BM=64,BN=64,BK=32,num_warps=4,num_stages=2", rtol=1e-2,
             atol=1e-2),
        Case("attention_scores", "attention_scores.kdsl", "attention_scores",
             {"q": ("f16", (2, 50, 64)), "k": ("f16", (2, 40, 64))},
             {"s": f32(2, 50, 40)},
             {"Z": 2, "seq_q": 50, "seq_k": 40, "scale": 0.125},
             kpack="D=64,CAUSAL=false|true,BM=32,BN=32,num_warps=4",
             config="D=64,CAUSAL=true,BM=32,BN=32,num_warps=4", rtol=1e-4,
             atol=1e-4),
        Case("batched_matmul", "batched_matmul.kdsl", "batched_matmul",
             {"a": ("f16", (3, 80, 96)), "b": ("f16", (3, 96, 48))},
             {"c": f32(3, 80, 48)},
             {"Z": 3, "M": 80, "N": 48, "K": 96},
             kpack="BM=64,BN=32,BK=32,num_warps=4",
             config="BM=64,BN=32,BK=32,num_warps=4", rtol=1e-4, atol=1e-4),
        # Both dots by mma.sync (4 warps, BN = 32); seq = 100 leaves tails.
        Case("flash_attention", "flash_attention.kdsl", "flash_attention",
             {"q": ("f16", (2, 100, 64)), "k": ("f16", (2, 100, 64)),
              "v": ("f16", (2, 100, 64))},
             {"o": ("f16", (2, 100, 64))},
             {"Z": 2, "seq": 100, "scale": 0.125},
             kpack="D=64,CAUSAL=false|true,BM=64,BN=32,num_warps=4",
             config="D=64,CAUSAL=true,BM=64,BN=32,num_warps=4", rtol=2e-3,
             atol=2e-3),
    ]


NP = {"f32": np.float32, "f16": np.float16, "i32": np.int32, "i8": np.int8,
      "bf16": np.uint16, "i64": np.int64}


def make(dtype, shape, rng):
    if dtype == "bf16":
        v = rng.uniform(-2, 2, size=shape).astype(np.float32)
        return (v.view(np.uint32) >> 16).astype(np.uint16)
    if dtype in ("i32", "i8", "i64"):
        return rng.integers(-100, 100, size=shape).astype(NP[dtype])
    return rng.uniform(-2, 2, size=shape).astype(NP[dtype])


def poison(dtype, shape, value=None):
    if value is not None:
        return np.full(shape, value, dtype=NP[dtype])
    if dtype == "bf16":
        return np.full(shape, 0x7fc0, dtype=np.uint16)
    if dtype in ("i32", "i8", "i64"):
        return np.full(shape, -77 if dtype == "i8" else -777, dtype=NP[dtype])
    return np.full(shape, np.nan, dtype=NP[dtype])


def source(case):
    """Examples by name; other kernels (GPU checks of the lowering) by path."""
    return case.file if "/" in case.file else f"{EX}/{case.file}"


def args_for(case, d, outdir):
    args = [f"{k}=@{d}/{case.name}.{k}.npy" for k in case.inputs]
    args += [f"{k}=@{outdir}/{case.name}.{k}.npy" for k in case.outputs]
    args += [f"{k}={v}" for k, v in case.scalars.items()]
    if case.config:
        args += ["--config", case.config]
    if case.grid:
        args += ["--grid", case.grid]
    return args


def prepare(out, bin_dir):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261126)
    kpacks = {}
    for case in cases():
        key = (case.file, case.kernel, case.kpack)
        if key not in kpacks:
            bundle = f"{out}/{case.name}.kpack"
            cmd = [f"{bin_dir}/kdslc", source(case), "--kernel",
                   case.kernel, "--emit=kpack", "-o", bundle]
            if case.kpack:
                cmd += ["--config", case.kpack]
            subprocess.run(cmd, check=True)
            kpacks[key] = os.path.basename(bundle)
        for k, (dtype, shape) in case.inputs.items():
            np.save(f"{out}/{case.name}.{k}.npy", make(dtype, shape, rng))
        for k, (dtype, shape) in case.outputs.items():
            np.save(f"{out}/{case.name}.{k}.npy",
                    poison(dtype, shape, case.init.get(k)))
        # The interpreter writes the expected outputs.
        scratch = f"{out}/scratch"
        os.makedirs(scratch, exist_ok=True)
        for k in case.outputs:
            shutil.copy(f"{out}/{case.name}.{k}.npy", scratch)
        saves = []
        for k in case.outputs:
            saves += ["--save", f"{k}={out}/{case.name}.{k}.expected.npy"]
        cmd = [f"{bin_dir}/kdslc", "run", source(case), "--kernel",
               case.kernel, "--backend", "interp"] + args_for(
                   case, out, scratch) + saves
        subprocess.run(cmd, check=True)
        shutil.rmtree(scratch)
    with open(f"{out}/bundles.json", "w") as f:
        json.dump({c.name: kpacks[(c.file, c.kernel, c.kpack)]
                   for c in cases()}, f)


def check(d, bin_dir, only=()):
    bundles = json.load(open(f"{d}/bundles.json"))
    wrap = os.environ.get("KDSL_WRAP", "").split()
    scratch = "/tmp/kdsl-examples"
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    failed, results = 0, []
    for case in cases():
        if only and case.name not in only:
            continue
        for k in case.outputs:
            shutil.copy(f"{d}/{case.name}.{k}.npy", scratch)
        saves = []
        for k in case.outputs:
            saves += ["--save", f"{k}={scratch}/{case.name}.{k}.got.npy"]
        cmd = wrap + [f"{bin_dir}/kdsl-launch", f"{d}/{bundles[case.name]}",
               "--kernel", case.kernel] + args_for(case, d, scratch) + saves
        run = subprocess.run(cmd, capture_output=True, text=True)
        ok, detail = run.returncode == 0, run.stderr.strip()
        if ok and case.launches and case.launches not in detail:
            ok = False
            detail += f"\n  expected a variant with {case.launches}"
        if ok:
            for k, (dtype, _) in case.outputs.items():
                got = np.load(f"{scratch}/{case.name}.{k}.got.npy")
                want = np.load(f"{d}/{case.name}.{k}.expected.npy")
                if dtype == "bf16":
                    got = (got.astype(np.uint32) << 16).view(np.float32)
                    want = (want.astype(np.uint32) << 16).view(np.float32)
                if dtype in ("i32", "i8", "i64"):
                    bad = int(np.sum(got != want))
                else:
                    g, w = got.astype(np.float64), want.astype(np.float64)
                    close = np.isclose(g, w, rtol=case.rtol, atol=case.atol,
                                       equal_nan=True)
                    bad = int(np.sum(~close))
                if bad:
                    ok = False
                    i = int(np.argmax((got != want).ravel()))
                    detail += (f"\n  {k}: {bad} of {got.size} elements differ;"
                               f" first at {i}: got {got.ravel()[i]}, "
                               f"expected {want.ravel()[i]}")
        failed += not ok
        results.append({"case": case.name, "ok": ok, "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'} {case.name}: {detail}")
    with open(os.environ.get("KDSL_EXAMPLES_JSON", "/dev/null"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"examples on the GPU: {len(results) - failed} passed, "
          f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    mode, d, bin_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "prepare":
        prepare(d, bin_dir)
    else:
        sys.exit(check(d, bin_dir, sys.argv[4:]))
