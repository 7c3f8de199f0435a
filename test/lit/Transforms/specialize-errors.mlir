// Every error of -kdsl-specialize. The config applies to every kernel: each
// kernel below has a scalar `x` and a constexpr `BLOCK` unless the case is
// about their absence.
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=64,x=5" -verify-diagnostics
//
// Out-of-range tuning knobs and malformed pass options.
// RUN: not kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=64,x=5,num_warps=3" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: not kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=64,x=5,num_stages=9" 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK" 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=big" 2>&1 | FileCheck %s --check-prefix=ENTRY-VALUE
// RUN: not kdsl-opt %s -split-input-file -kdsl-specialize="kernel=nope" 2>&1 | FileCheck %s --check-prefix=KERNEL

// WARPS: error: num_warps = 3 is out of range (num_warps: a power of two from 1 to 32; num_stages: 1 to 8)
// WARPS-NEXT: kdsl.kernel @fine(
// STAGES: error: num_stages = 9 is out of range (num_warps: a power of two from 1 to 32; num_stages: 1 to 8)
// STAGES-NEXT: kdsl.kernel @fine(
// ENTRY: error: config entry 'BLOCK' must be NAME=INTEGER
// ENTRY-VALUE: error: config entry 'BLOCK=big' must be NAME=INTEGER
// KERNEL: error: no kernel named 'nope'

// A kernel that specializes with BLOCK=96 and BLOCK=64: only the knobs fail.
kdsl.kernel @fine(%x: i32, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'no_value': constexpr 'OTHER' has no value; give it one in the config (OTHER=...), in @config or @autotune, or give it a default}}
kdsl.kernel @no_value(%x: i32, %BLOCK: i32 {kdsl.constexpr}, %OTHER: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "BLOCK", "OTHER"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'unbound_scalar': the default of 'W' (next_pow2(m)) cannot be evaluated: no value for parameter 'm'; bind the scalar parameters it uses in the config}}
kdsl.kernel @unbound_scalar(%x: i32, %m: i32, %BLOCK: i32 {kdsl.constexpr},
                            %W: i32 {kdsl.constexpr, kdsl.default = "next_pow2(m)"})
    attributes {param_names = ["x", "m", "BLOCK", "W"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'cycle': the default of constexpr 'A' depends on itself}}
kdsl.kernel @cycle(%x: i32, %BLOCK: i32 {kdsl.constexpr},
                   %A: i32 {kdsl.constexpr, kdsl.default = "B + 1"},
                   %B: i32 {kdsl.constexpr, kdsl.default = "A * 2"})
    attributes {param_names = ["x", "BLOCK", "A", "B"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'unknown_name' has no parameter 'x'}}
kdsl.kernel @unknown_name(%n: i32, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["n", "BLOCK"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{'x' is a pointer; only constexprs and scalar parameters take config values}}
kdsl.kernel @pointer_value(%x: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{value 256 does not fit constexpr 'SMALL' of type i8}}
kdsl.kernel @does_not_fit(%x: i32, %BLOCK: i32 {kdsl.constexpr},
                          %SMALL: i8 {kdsl.constexpr, kdsl.default = "BLOCK * 4"})
    attributes {param_names = ["x", "BLOCK", "SMALL"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'bad_where': where '64 / (BLOCK - 64) > 0': division by zero in}}
kdsl.kernel @bad_where(%x: i32, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [64]>], key = [], where = "64 / (BLOCK - 64) > 0">} {
  kdsl.return
}

// -----

kdsl.kernel @assert_false(%x: i32, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"]} {
  %c128 = arith.constant 128 : i32
  %big = arith.cmpi sge, %BLOCK, %c128 : i32
  // expected-error @+1 {{static_assert failed: BLOCK must be at least 128}}
  kdsl.static_assert %big, "BLOCK must be at least 128"
  kdsl.return
}

// -----

// A value from the config does not make a runtime parameter a constant.
kdsl.kernel @assert_runtime(%x: i32, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"]} {
  %c = arith.cmpi slt, %x, %BLOCK : i32
  // expected-error @+1 {{static_assert condition is not a compile-time constant}}
  kdsl.static_assert %c, "x < BLOCK"
  kdsl.return
}

// -----

kdsl.kernel @arange_not_pow2(%x: i32, %p: !kdsl.ptr<i32>, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "p", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %end = arith.addi %BLOCK, %c32 : i32
  // expected-error @+1 {{arange: length must be a positive power of two, got 96}}
  %r = kdsl.arange %c0, %end : tensor<?xi32>
  %s = kdsl.reduce sum %r {axis = 0 : i32} : tensor<?xi32> -> i32
  kdsl.store %p, %s : !kdsl.ptr<i32>, i32
  kdsl.return
}

// -----

kdsl.kernel @still_dynamic(%x: i32, %p: !kdsl.ptr<f32>, %v: f32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "p", "v", "BLOCK"]} {
  // expected-error @+1 {{block shape [?] is still unknown after binding every constexpr}}
  %b = kdsl.splat %v [%x] : f32 -> tensor<?xf32>
  %s = kdsl.reduce sum %b {axis = 0 : i32} : tensor<?xf32> -> f32
  kdsl.store %p, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

kdsl.kernel @loop_type_change(%x: i32, %p: !kdsl.ptr<f32>, %v: f32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "p", "v", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c128 = arith.constant 128 : i32
  %init = kdsl.splat %v [%BLOCK] : f32 -> tensor<?xf32>
  // expected-error @+1 {{a loop-carried value changes type from 'tensor<64xf32>' to 'tensor<128xf32>'}}
  %r = scf.for %i = %c0 to %x step %c1 iter_args(%a = %init) -> (tensor<?xf32>) : i32 {
    %n = kdsl.splat %v [%c128] : f32 -> tensor<?xf32>
    scf.yield %n : tensor<?xf32>
  }
  %s = kdsl.reduce sum %r {axis = 0 : i32} : tensor<?xf32> -> f32
  kdsl.store %p, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

kdsl.kernel @if_type_mismatch(%x: i32, %p: !kdsl.ptr<f32>, %v: f32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "p", "v", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %c128 = arith.constant 128 : i32
  %cond = arith.cmpi sgt, %x, %c0 : i32
  // expected-error @+1 {{the branches give a value different types: 'tensor<64xf32>' and 'tensor<128xf32>'}}
  %r = scf.if %cond -> (tensor<?xf32>) {
    %a = kdsl.splat %v [%BLOCK] : f32 -> tensor<?xf32>
    scf.yield %a : tensor<?xf32>
  } else {
    %b = kdsl.splat %v [%c128] : f32 -> tensor<?xf32>
    scf.yield %b : tensor<?xf32>
  }
  %s = kdsl.reduce sum %r {axis = 0 : i32} : tensor<?xf32> -> f32
  kdsl.store %p, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

kdsl.kernel @elementwise_mismatch(%x: i32, %p: !kdsl.ptr<f32>, %v: f32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "p", "v", "BLOCK"]} {
  %c128 = arith.constant 128 : i32
  %a = kdsl.splat %v [%BLOCK] : f32 -> tensor<?xf32>
  %b = kdsl.splat %v [%c128] : f32 -> tensor<?xf32>
  // expected-error @+1 {{shape mismatch: [64] and [128]}}
  %c = arith.addf %a, %b : tensor<?xf32>
  %s = kdsl.reduce sum %c {axis = 0 : i32} : tensor<?xf32> -> f32
  kdsl.store %p, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}
