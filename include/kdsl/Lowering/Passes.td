//===- Passes.td - kdsl lowering passes --------------------*- tablegen -*-===//

#ifndef KDSL_LOWERING_PASSES
#define KDSL_LOWERING_PASSES

include "mlir/Pass/PassBase.td"

def KdslAssignLayouts : Pass<"kdsl-assign-layouts", "mlir::ModuleOp"> {
  let summary = "Give every block of a variant a layout encoding";
  let description = [{
    Sets an encoding on every block type of each variant `kdsl.kernel`, as
    Triton's TritonGPU layouts do:
    - `#kdsl.blocked` for blocks made from scratch (`arange`, splats,
      constants, shape changes): up to 4 contiguous elements per thread
      (one 16-byte access of f32), lanes then warps spread from the last
      dimension, small blocks wrapped so several threads hold copies.
      Where every reduction of blocks of a rank is along one axis and the
      other dimensions hold all the warps, warps fill those first, so each
      line is reduced within a warp;
    - `#kdsl.slice<dim = axis, parent>` for the result of a reduction along
      an axis, so `expand_dims` at that axis gives back the parent layout and
      the broadcast of a row statistic moves nothing;
    - `#kdsl.shared` for the operands of `dot`, which are read by other
      threads. A dot operand that a loop carries (a window of blocks that
      -kdsl-pipeline-loops loads ahead) is carried staged: the window's
      loop arguments take the shared encoding, and each block is staged
      where it is loaded (the body's after the dot), so that the back end
      keeps the window in a ring of shared buffers filled by cp.async.
    Elementwise ops, loads, stores and atomics take the layout of their
    first operand that cannot be recomputed in place (index arithmetic can);
    loop-carried values keep their initial layout. A block that
    `expand_dims` and a broadcast make into a larger one is made, where no
    operand decides otherwise, in the slice of the larger one's layout (the
    wish passes back through loads, pointer arithmetic and elementwise ops),
    so the broadcast moves nothing. An operand needed in another layout gets
    a `kdsl.convert_layout`.
  }];
}

def ConvertKdslToGPU : Pass<"convert-kdsl-to-gpu", "mlir::ModuleOp"> {
  let summary = "Lower kdsl variants to per-thread code in gpu.module/gpu.func";
  let description = [{
    Each variant `kdsl.kernel` (every constexpr bound, static shapes, every
    block with the layout encoding `-kdsl-assign-layouts` gave it) becomes a
    `gpu.module` holding one `gpu.func` kernel run by one CUDA block of
    `num_warps * 32` threads. Each thread holds the elements its layout
    (`#kdsl.blocked`, `#kdsl.slice`) gives it; only the owner of a replicated
    element stores it or counts it in a reduction.

    A shape change or `kdsl.convert_layout` moves nothing when every thread
    already holds what it needs at a fixed slot (`expand_dims` of a slice,
    broadcasts within a layout); values computed from `arange`, splats and
    constants alone are recomputed at the new coordinates; anything else
    makes one round trip through shared memory. A conversion to
    `#kdsl.shared` writes the block to its own area of dynamic shared memory
    (its size in the `kdsl.shared_bytes` attribute) for the `dot` that
    reads it, or, for a window of blocks a loop carries staged, to a slot
    of a ring of window + 1 buffers: cp.async copies into the free slot,
    one commit group per block, and the dot waits for the oldest block
    (`cp.async.wait_group`) and one barrier per iteration; barriers separate writes from reads only where shared memory
    was used since the last one. Reductions combine in-thread, across the
    lanes along the reduced axis with butterfly shuffles, then across the
    warps along it through shared memory; along an axis, the result is the
    slice of the operand's layout.

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
    ListOption<"equalToOne", "equal-to-one", "std::string",
               "Integer parameters assumed to be 1 (the `unit` "
               "specialization: strides of a last dimension)">,
    Option<"maxSharedBytes", "max-shared-bytes", "int64_t",
           /*default=*/"232448",
           "Shared memory a thread block may use: the target's opt-in "
           "maximum (232448, 227 KiB, for sm_90a; 166912 for sm_80); a "
           "variant that needs more is an error">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Say how each block load, store, atomic, reduction and layout "
           "change was lowered, as a remark at its location: the width of "
           "its accesses and what kept them narrower, shuffles, round trips "
           "through shared memory and barriers">,
  ];
  let dependentDialects = [
    "mlir::gpu::GPUDialect", "mlir::LLVM::LLVMDialect",
    "mlir::NVVM::NVVMDialect", "mlir::scf::SCFDialect",
    "mlir::cf::ControlFlowDialect",
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
    ListOption<"equalToOne", "equal-to-one", "std::string",
               "Integer parameters that are 1">,
  ];
}

#endif // KDSL_LOWERING_PASSES
