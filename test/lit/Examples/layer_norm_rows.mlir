// layer_norm_rows: row-wise layer norm over ROWS rows per instance. The front end's IR round-trips; a
// variant reduces along axis 1 of a [ROWS, BLOCK] block twice and broadcasts the statistics back.
// RUN: kdslc %examples/layer_norm_rows.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/layer_norm_rows.kdsl --kernel layer_norm_rows --emit=kdsl --config n_cols=1000,ROWS=4,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not=kdsl.constexpr

// CHECK-LABEL: kdsl.kernel @layer_norm_rows(
// CHECK-COUNT-2: kdsl.reduce sum

// VARIANT-LABEL: kdsl.kernel @layer_norm_rows(
// VARIANT-SAME: bindings = {BLOCK = 1024 : i32, ROWS = 4 : i32}
// VARIANT: kdsl.reduce sum %{{.*}} {axis = 1 : i32} : tensor<4x1024xf32> -> tensor<4xf32>
// VARIANT: kdsl.reduce sum %{{.*}} {axis = 1 : i32} : tensor<4x1024xf32> -> tensor<4xf32>
// VARIANT: math.rsqrt %{{.*}} : tensor<4xf32>
