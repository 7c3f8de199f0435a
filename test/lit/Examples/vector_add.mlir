// vector_add (LANGUAGE.md §10): out = x + y under a mask.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/vector_add.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/vector_add.kdsl --kernel vector_add --emit=kdsl --config BLOCK=1024,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/vector_add.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @vector_add(
// CHECK-SAME:    %[[X:[A-Za-z0-9_]+]]: !kdsl.ptr<f32>, %[[Y:[A-Za-z0-9_]+]]: !kdsl.ptr<f32>, %[[OUT:[A-Za-z0-9_]+]]: !kdsl.ptr<f32>, %[[N:[A-Za-z0-9_]+]]: i32, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    attributes {autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [256, 512, 1024, 2048]>, #kdsl.tune_param<"num_warps" = [2, 4, 8]>], key = ["n"], where = "">, grid = ["cdiv(n, BLOCK)"], param_names = ["x", "y", "out", "n", "BLOCK"]}
// CHECK:         %[[PID:.*]] = kdsl.program_id 0
// CHECK:         arith.muli %[[PID]], %[[BLOCK]] : i32
// CHECK:         kdsl.arange %{{.*}}, %[[BLOCK]] : tensor<?xi32>
// CHECK:         %[[MASK:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : tensor<?xi32>
// CHECK:         %[[A:.*]] = kdsl.load %{{.*}} mask %[[MASK]] : tensor<?x!kdsl.ptr<f32>>, tensor<?xi1> -> tensor<?xf32>
// CHECK:         %[[B:.*]] = kdsl.load %{{.*}} mask %[[MASK]] : tensor<?x!kdsl.ptr<f32>>, tensor<?xi1> -> tensor<?xf32>
// CHECK:         %[[SUM:.*]] = arith.addf %[[A]], %[[B]] : tensor<?xf32>
// CHECK:         kdsl.store %{{.*}}, %[[SUM]] mask %[[MASK]]
// CHECK:         kdsl.return

// VARIANT-LABEL: kdsl.kernel @vector_add(
// VARIANT-SAME:    %{{[A-Za-z0-9_]+}}: !kdsl.ptr<f32>, %{{[A-Za-z0-9_]+}}: !kdsl.ptr<f32>, %{{[A-Za-z0-9_]+}}: !kdsl.ptr<f32>, %{{[A-Za-z0-9_]+}}: i32)
// VARIANT-SAME:    attributes {bindings = {BLOCK = 1024 : i32}, grid = ["cdiv(n, 1024)"], num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y", "out", "n"]}
// VARIANT:         kdsl.arange %{{.*}}, %{{.*}} : tensor<1024xi32>
// VARIANT:         kdsl.load {{.*}} -> tensor<1024xf32>
// VARIANT:         kdsl.store {{.*}} : tensor<1024x!kdsl.ptr<f32>>, tensor<1024xf32>, tensor<1024xi1>

// AST: Let offs : i32[BLOCK]
