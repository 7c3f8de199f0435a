// KNOWN BUG: -kdsl-specialize moves any constant size operand of splat,
// broadcast and reshape into the type without checking it. BLOCK = -1 gives
// `tensor<-1x!kdsl.ptr<f32>>`, which passes the verifier but is not a valid
// type (the printed IR does not parse back: "expected non-function type"; an
// MLIR built with assertions would abort in RankedTensorType::get); BLOCK = 0
// gives zero-sized blocks, and BLOCK = 96 a non-power-of-two block, which
// LANGUAGE.md section 2 rules out (only kdsl.arange checks it). An error at
// the op is expected. Remove XFAIL once fixed.
// XFAIL: *
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=-1" -verify-diagnostics
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=0" -verify-diagnostics
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=96" -verify-diagnostics

kdsl.kernel @splat_size(%p: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["p", "BLOCK"]} {
  // expected-error-re @+1 {{{{.*}}}}
  %pb = kdsl.splat %p [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %v = kdsl.load %pb : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
  kdsl.store %pb, %v : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>
  kdsl.return
}
