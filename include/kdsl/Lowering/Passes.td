//===- Passes.td - kdsl lowering passes --------------------*- tablegen -*-===//

#ifndef KDSL_LOWERING_PASSES
#define KDSL_LOWERING_PASSES

include "mlir/Pass/PassBase.td"

def ConvertKdslToGPU : Pass<"convert-kdsl-to-gpu", "mlir::ModuleOp"> {
  let summary = "Lower kdsl variants to per-thread code in gpu.module/gpu.func";
  let description = [{
    Each variant `kdsl.kernel` (every constexpr bound, static shapes) becomes a
    `gpu.module` holding one `gpu.func` kernel run by one CUDA block of
    `num_warps * 32` threads. Every block value is distributed over the
    threads in a blocked layout over its row-major elements: each thread holds
    chunks of `vec` contiguous elements (`vec` = min(4, elements / threads)),
    chunk `k * threads + tid` in its k-th chunk slot; small blocks are
    replicated across threads, and only the owning thread stores or reduces a
    replicated element.

    Values that are computed from `arange`, splats and constants alone are
    rematerialized at the element coordinates a consumer needs, so
    `expand_dims`/`broadcast`/`reshape`/`trans` of them cost nothing; other
    layout changes, reductions along an axis and `dot` go through shared
    memory (dynamic, its size in the `kdsl.shared_bytes` attribute).
    Reductions to a scalar combine in-thread, across the warp with shuffles,
    then across warps through shared memory.

    Loads and stores become vector accesses (up to 16 bytes) where the axis
    analysis proves the addresses contiguous and aligned; a mask that is not
    provably uniform over a vector is tested at run time (all lanes on: one
    vector access; else per-lane predicated accesses).
  }];
  let options = [
    Option<"assumeAligned", "assume-aligned", "bool", /*default=*/"false",
           "Assume every pointer parameter is 16-byte aligned (the `align16` "
           "specialization)">,
    ListOption<"divisible", "divisible", "std::string",
               "Integer parameters assumed to be multiples of 16 (the "
               "`div16` specialization)">,
  ];
  let dependentDialects = [
    "mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect",
    "mlir::NVVM::NVVMDialect", "mlir::scf::SCFDialect",
    "mlir::vector::VectorDialect", "mlir::arith::ArithDialect",
    "mlir::math::MathDialect"
  ];
}

def TestAxisInfo : Pass<"kdsl-test-axis-info", "mlir::ModuleOp"> {
  let summary = "Annotate integer and pointer values with their axis info";
  let description = [{
    For lit tests of the axis analysis: every op result of integer or
    pointer type gets `axis_info = [contiguity, divisibility, constancy]`
    (along the last dimension; divisibility in bytes for pointers).
  }];
  let options = [
    Option<"assumeAligned", "assume-aligned", "bool", /*default=*/"false",
           "Pointer parameters are 16-byte aligned">,
    ListOption<"divisible", "divisible", "std::string",
               "Integer parameters that are multiples of 16">,
  ];
}

#endif // KDSL_LOWERING_PASSES
