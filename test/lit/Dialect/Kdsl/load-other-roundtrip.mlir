// KNOWN BUG: a kdsl.load with `other` but no `mask` passes the verifier and
// prints as `kdsl.load %p other %o : !kdsl.ptr<f32>, f32 -> f32`, which does
// not parse back ("number of operands and types do not match: got 0 operands
// and 1 types": the parser takes the first optional type as the mask's).
// Either the verifier should require a mask with `other`, or the assembly
// format should tell the two apart. Remove XFAIL once fixed.
// XFAIL: *
// RUN: kdsl-opt %s | kdsl-opt | FileCheck %s

// CHECK-LABEL: kdsl.kernel @other_without_mask(
// CHECK: kdsl.load %p other %o : !kdsl.ptr<f32>, f32 -> f32
kdsl.kernel @other_without_mask(%p: !kdsl.ptr<f32>, %o: f32) attributes {param_names = ["p", "o"]} {
  %v = "kdsl.load"(%p, %o) {operandSegmentSizes = array<i32: 1, 0, 1>} : (!kdsl.ptr<f32>, f32) -> f32
  kdsl.store %p, %v : !kdsl.ptr<f32>, f32
  kdsl.return
}
