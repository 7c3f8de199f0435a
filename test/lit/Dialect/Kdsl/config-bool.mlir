// `true` in a config is the i1 value 1 (IntegerAttr::getInt() would say -1).
// RUN: kdsl-opt %s | FileCheck %s --check-prefix=PARSE
// RUN: kdsl-opt %s -kdsl-specialize | FileCheck %s --check-prefix=SPEC

// PARSE-LABEL: kdsl.kernel @flag(
// PARSE-SAME: config = {FLAG = true}
// SPEC-LABEL: kdsl.kernel @flag(
// SPEC-SAME: bindings = {FLAG = true}
kdsl.kernel @flag(%FLAG: i1 {kdsl.constexpr}) attributes {param_names = ["FLAG"], config = {FLAG = true}} {
  kdsl.return
}
