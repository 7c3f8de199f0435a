//===- AxisInfo.h - Contiguity, divisibility, constancy ---------*- C++ -*-===//
//
// Part of the kdsl project.
//
// After Triton's AxisInfo: for each integer or pointer value, along the last
// dimension of a block (a scalar counts as a block of one):
//   contiguity  the longest runs of consecutive values (stride 1 element),
//   divisibility the largest power of two dividing the first value of each
//               run (bytes for pointers),
//   constancy   the longest runs of equal values.
// The conversion uses it to turn loads and stores into vector accesses and
// to skip run-time mask tests. As Triton's, it does not follow i32 overflow.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LOWERING_AXISINFO_H
#define KDSL_LOWERING_AXISINFO_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

#include <cstdint>

namespace kdsl {

struct AxisInfo {
  int64_t contiguity = 1;
  int64_t divisibility = 1;
  int64_t constancy = 1;
  /// Every value is known to be >= 0 (program ids, aranges from 0, and
  /// their sums and products): what a remainder's contiguity needs.
  bool nonNegative = false;
};

class AxisInfoAnalysis {
public:
  /// `assumeAligned`: pointer parameters are 16-byte aligned; `divisible`:
  /// integer parameters known to be multiples of 16; `equalToOne`: integer
  /// parameters known to be 1 (unit strides).
  AxisInfoAnalysis(bool assumeAligned, llvm::ArrayRef<std::string> divisible,
                   llvm::ArrayRef<std::string> equalToOne = {})
      : assumeAligned(assumeAligned), divisible(divisible),
        equalToOne(equalToOne) {}
  AxisInfo get(mlir::Value value);

private:
  AxisInfo compute(mlir::Value value);
  AxisInfo computeRuns(mlir::Value value);
  bool isNonNegative(mlir::Value value);
  bool isOne(mlir::Value value);
  /// The name of `value` if it is a kernel parameter.
  std::optional<llvm::StringRef> paramName(mlir::Value value);
  bool assumeAligned;
  llvm::SmallVector<std::string> divisible, equalToOne;
  llvm::DenseMap<mlir::Value, AxisInfo> cache;
};

} // namespace kdsl

#endif // KDSL_LOWERING_AXISINFO_H
