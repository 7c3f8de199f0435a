// dropout and dropout_backward: an integer-hash RNG, an i8 keep mask.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/dropout.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/dropout.kdsl --kernel dropout --emit=kdsl --config BLOCK=1024,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/dropout.kdsl --emit=ast | FileCheck %s --check-prefix=AST
// RUN: kdslc %examples/dropout.kdsl --kernel dropout_backward --emit=kdsl --config BLOCK=4096,num_warps=8 \
// RUN:   | kdsl-opt | FileCheck %s --check-prefix=BACKWARD --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr

// CHECK-LABEL: kdsl.kernel @dropout(
// CHECK-SAME:    %[[SEED:[A-Za-z0-9_]+]]: i32, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    grid = ["cdiv(n, BLOCK)"]
// The generic hash32 is inlined once on the scalar seed, once on a block.
// CHECK:         arith.shrsi %[[SEED]], %{{.*}} : i32
// CHECK:         arith.constant 73244475 : i32
// CHECK:         arith.shrsi %{{.*}}, %{{.*}} : tensor<?xi32>
// CHECK:         %[[KEEP:.*]] = arith.cmpi sge, %{{.*}}, %{{.*}} : tensor<?xi32>
// CHECK:         arith.select %[[KEEP]], %{{.*}}, %{{.*}} : tensor<?xi1>, tensor<?xf32>
// CHECK:         %[[BYTES:.*]] = arith.extui %[[KEEP]] : tensor<?xi1> to tensor<?xi8>
// CHECK:         kdsl.store %{{.*}}, %[[BYTES]] mask %{{.*}} : tensor<?x!kdsl.ptr<i8>>, tensor<?xi8>, tensor<?xi1>
// CHECK-NOT:     call

// CHECK-LABEL: kdsl.kernel @dropout_backward(
// CHECK-SAME:    %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK:         %[[M:.*]] = kdsl.load %{{.*}} mask %{{.*}} : tensor<?x!kdsl.ptr<i8>>, tensor<?xi1> -> tensor<?xi8>
// CHECK:         arith.cmpi ne, %[[M]], %{{.*}} : tensor<?xi8>

// VARIANT-LABEL: kdsl.kernel @dropout(
// VARIANT-SAME:    bindings = {BLOCK = 1024 : i32}, grid = ["cdiv(n, 1024)"], num_stages = 2 : i32, num_warps = 4 : i32
// VARIANT:         kdsl.store {{.*}} : tensor<1024x!kdsl.ptr<i8>>, tensor<1024xi8>, tensor<1024xi1>
// VARIANT-NOT:     @dropout_backward

// BACKWARD-LABEL: kdsl.kernel @dropout_backward(
// BACKWARD-SAME:    bindings = {BLOCK = 4096 : i32}, grid = ["cdiv(n, 4096)"], num_stages = 2 : i32, num_warps = 8 : i32
// BACKWARD:         kdsl.load {{.*}} : tensor<4096x!kdsl.ptr<i8>>, tensor<4096xi1> -> tensor<4096xi8>

// AST: Let keep : bool[BLOCK]
