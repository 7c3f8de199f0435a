// `other` fills the lanes a mask turns off, so it needs a mask; without one
// the printed form would also be ambiguous.
// RUN: kdsl-opt %s -verify-diagnostics

kdsl.kernel @other_without_mask(%p: !kdsl.ptr<f32>, %o: f32) attributes {param_names = ["p", "o"]} {
  // expected-error @+1 {{'other' needs a mask}}
  %v = "kdsl.load"(%p, %o) {operandSegmentSizes = array<i32: 1, 0, 1>} : (!kdsl.ptr<f32>, f32) -> f32
  kdsl.store %p, %v : !kdsl.ptr<f32>, f32
  kdsl.return
}
