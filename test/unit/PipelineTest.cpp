//===- PipelineTest.cpp - What the GPU pipeline relies on in MLIR ---------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Pipeline.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/PatternMatch.h"

#include "gtest/gtest.h"

using namespace mlir;

namespace {

// The pipeline leaves a slow canonicalization out by its debug name. Were
// MLIR to rename the pattern, the canonicalizer would run it again without a
// word (a 128x128 dot over 2 warps: 1 s to PTX becomes 13 s): the names must
// still be among the patterns the canonicalizer collects from the dialects
// the pipeline loads.
TEST(PipelineTest, SlowCanonicalizationIsStillThereToLeaveOut) {
  MLIRContext context;
  kdsl::loadGpuDialects(&context);
  RewritePatternSet patterns(&context);
  for (Dialect *dialect : context.getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : context.getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, &context);
  ASSERT_FALSE(patterns.getNativePatterns().empty());
  bool found = false;
  for (const std::unique_ptr<RewritePattern> &pattern :
       patterns.getNativePatterns())
    for (const std::string &name : kdsl::slowCanonicalizations())
      found |= pattern->getDebugName() == name;
  EXPECT_TRUE(found) << "no canonicalization pattern is named "
                     << kdsl::slowCanonicalizations().front()
                     << "; find its new name and update "
                        "kdsl::slowCanonicalizations()";
}

} // namespace
