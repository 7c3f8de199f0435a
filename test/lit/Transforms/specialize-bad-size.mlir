// Constant block sizes must be positive powers of two (LANGUAGE.md §2).
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
