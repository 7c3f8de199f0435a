//===- Passes.td - kdsl dialect passes ---------------------*- tablegen -*-===//

#ifndef KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_TD
#define KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KdslSpecialize : Pass<"kdsl-specialize", "::mlir::ModuleOp"> {
  let summary = "Binds constexprs, num_warps and num_stages: produces a variant";
  let description = [{
    For each `kdsl.kernel` (or the one named by `kernel`), gives every
    constexpr parameter a value and removes it from the signature, sets
    `num_warps` and `num_stages`, folds what became constant, decides
    `kdsl.static_assert`s, and refines every block type to a static shape.

    A value comes, in this order, from `config` (entries `NAME=VALUE`), the
    kernel's `@config`, the first config of its `@autotune` space that passes
    `where`, and the constexpr's default expression. `config` may also give
    values of scalar runtime parameters, which defaults such as
    `next_pow2(n_cols)` read; those parameters stay in the signature.

    ```
    kdsl-opt -kdsl-specialize="config=BLOCK=256,num_warps=8" in.mlir
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let options = [
    Option<"kernel", "kernel", "std::string", /*default=*/"\"\"",
           "Specialize only the kernel with this name (default: every kernel)">,
    ListOption<"config", "config", "std::string",
               "NAME=VALUE bindings of constexprs, num_warps, num_stages and "
               "scalar parameters">,
  ];
}

def KdslPipelineLoops : Pass<"kdsl-pipeline-loops", "::mlir::ModuleOp"> {
  let summary = "Issue the loads of a loop num_stages - 1 iterations ahead";
  let description = [{
    Software pipelining of loads, as `num_stages` asks. In each variant
    with `num_stages` = S >= 2, an `scf.for` with no store or atomic in it
    has each load of its body whose address and mask depend only on the
    induction variable, on values defined outside the loop and on strides
    (loop-carried pointers or integers that advance by the same
    loop-invariant amount every iteration, as Triton's `p += BK`) issued
    S - 1 iterations before the iteration that uses it: a prologue loads iterations 0 .. S-2, the loop carries S - 1
    loaded blocks and, at the start of its body, loads the iteration S - 1
    ahead. A load for an iteration past the end is masked off, so it
    touches no memory; the values the program computes do not change.

    The load's latency then overlaps the previous iterations' compute, at
    the cost of the registers that hold the blocks in flight (at most 32 a
    thread; fewer stages otherwise). The operands of a `dot` (or of a
    transpose only a dot reads) are pipelined too, the prologue stage by
    stage, but cost no registers: -kdsl-assign-layouts carries them staged
    in shared memory, in a ring of buffers the back end fills by cp.async.
    Loops with a
    store or an atomic are left alone: a write may feed a later iteration's
    load.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_TD
