//===- TestAxisInfo.cpp - Print the axis analysis for lit tests -----------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Passes.h"

#include "AxisInfo.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

namespace kdsl {
#define GEN_PASS_DEF_TESTAXISINFO
#include "kdsl/Lowering/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;

namespace {

struct TestAxisInfoPass
    : public kdsl::impl::TestAxisInfoBase<TestAxisInfoPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::string> names(divisible.begin(), divisible.end());
    SmallVector<std::string> ones(equalToOne.begin(), equalToOne.end());
    AxisInfoAnalysis analysis(assumeAligned, names, ones);
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() != 1)
        return;
      Type type = getElementTypeOrSelf(op->getResult(0).getType());
      if (!type.isIntOrIndex() && !isa<PtrType>(type))
        return;
      AxisInfo info = analysis.get(op->getResult(0));
      Builder b(op->getContext());
      op->setAttr("axis_info",
                  b.getDenseI64ArrayAttr(
                      {info.contiguity, info.divisibility, info.constancy}));
    });
  }
};

} // namespace
