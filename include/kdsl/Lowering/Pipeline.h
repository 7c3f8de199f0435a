//===- Pipeline.h - From kdsl variants to PTX and cubin ---------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LOWERING_PIPELINE_H
#define KDSL_LOWERING_PIPELINE_H

#include "kdsl/Support/SharedResults.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kdsl {

/// The targets kdsl compiles for.
struct GpuTarget {
  /// `sm_80` or `sm_90a`.
  std::string arch = "sm_90a";
  /// Compile the align16 specialization (every pointer 16-byte aligned).
  bool assumeAligned = true;
  /// Integer parameters assumed to be multiples of 16 (`div16`).
  std::vector<std::string> divisible;
  /// Integer parameters assumed to be 1 (`unit`).
  std::vector<std::string> equalToOne;
  /// Link libdevice (math functions); compileToPTX skips it for kernels
  /// without math ops, which saves parsing its bitcode.
  bool linkLibdevice = true;
  /// Remarks from -convert-kdsl-to-gpu on how each op was lowered.
  bool remarks = false;
};

/// The integer parameters of `kernel` that scale offsets (an operand of a
/// multiplication, like a row stride): the ones worth specializing on
/// divisibility by 16, as Triton does, so that rows stay 16-byte aligned.
std::vector<std::string> strideParams(mlir::Operation *kernel);

/// The strideParams of `kernel` that scale offsets along a block's last
/// dimension (`cols[None, :] * s`): where they are 1, consecutive elements
/// are adjacent in memory and accesses can be vectors, so the `unit`
/// specialization assumes them 1, as Triton specializes integers equal to 1.
std::vector<std::string> unitStrideParams(mlir::Operation *kernel);

/// The integer parameters of `kernel`, other than its strideParams, that are
/// compared with a block (a mask's bound, like `n` in `offs < n`): a bound
/// divisible by 16 makes masks constant across 16-byte vectors, so that a
/// vector access needs one predicate and no per-element fallback.
std::vector<std::string> boundParams(mlir::Operation *kernel);

/// What a specialized variant assumes of a launch beyond what the generic
/// one does: every pointer 16-byte aligned, the `divisible` integer
/// parameters multiples of 16 and the `equalToOne` ones 1.
struct Specialization {
  std::vector<std::string> divisible, equalToOne;
};

/// The specializations to compile of `variant`, as Triton's: generic
/// (nullopt); align16 (pointers 16-byte aligned, strides divisible by 16);
/// div16 (mask bounds divisible by 16 too); then these two again with the
/// strides along a last dimension 1 in place of divisible (as Triton
/// specializes integers equal to 1). Only those that assume something the
/// ones before do not.
llvm::SmallVector<std::optional<Specialization>, 5>
specializationsOf(mlir::Operation *variant, size_t numPointers);

/// Of `specializations`, the one the runtime launches for these integer
/// arguments (by name) and 16-byte aligned buffers: the most assumptions
/// that hold; nullopt, the generic variant, when none does.
std::optional<Specialization>
launchedFor(llvm::ArrayRef<std::optional<Specialization>> specializations,
            size_t numPointers, const std::map<std::string, int64_t> &integers);

/// A bundle's requirement text for `specialization` of a kernel with these
/// pointer parameters: "x:align16,y:align16,n:div16,sak:eq1" (empty for the
/// generic variant).
std::string requirementsOf(const std::optional<Specialization> &specialization,
                           llvm::ArrayRef<std::string> pointers);

/// Makes `target` compile `specialization` (nullopt: the generic variant).
void assume(GpuTarget &target,
            const std::optional<Specialization> &specialization);

/// True for an arch kdsl targets.
bool isSupportedArch(llvm::StringRef arch);

/// Registers what lowering to PTX needs: the GPU, NVVM and LLVM dialects,
/// their translations to LLVM IR and the NVVM target.
void registerGpuLowering(mlir::DialectRegistry &registry);

/// Loads every dialect the pipeline uses, so that variants can then be
/// compiled on several threads at once.
void loadGpuDialects(mlir::MLIRContext *context);

/// The canonicalization patterns the GPU pipeline leaves out, by debug name
/// (clang's and GCC's spelling of the anonymous namespace): MLIR 22's
/// RemoveDuplicateSuccessorInputUses takes time cubic in the number of
/// loop-carried values, and LLVM merges such phis later anyway. A unit test
/// checks that MLIR still registers a pattern of one of these names, so a
/// rename cannot silently bring the slow pattern back.
llvm::ArrayRef<std::string> slowCanonicalizations();

/// Adds the passes from variants to GPU code: -kdsl-assign-layouts,
/// -convert-kdsl-to-gpu and
/// attaching the NVVM target (with libdevice). With `toLLVM`, also the
/// lowering of the gpu.module to the LLVM and NVVM dialects.
void buildGpuPipeline(mlir::OpPassManager &pm, const GpuTarget &target,
                      bool toLLVM);

/// One kernel's PTX and what launching it needs.
struct KernelPTX {
  std::string name;
  std::string ptx;
  int64_t sharedBytes = 0; ///< dynamic shared memory per block
  int numWarps = 4;
};

/// PTX results by the per-thread GPU code they were made from.
using SharedPTX = SharedResults<mlir::FailureOr<std::vector<KernelPTX>>>;

/// Lowers a module of variants through the whole pipeline and returns the
/// PTX of each kernel in module order. With `timing`, each pass is timed
/// under it. With `shared`, a module whose per-thread GPU code (gpu.func)
/// matches one lowered before takes that PTX instead of running the LLVM
/// back end again.
mlir::FailureOr<std::vector<KernelPTX>>
compileToPTX(mlir::ModuleOp module, const GpuTarget &target,
             mlir::TimingScope *timing = nullptr, SharedPTX *shared = nullptr);

/// What ptxas made of a PTX module.
struct CubinResult {
  std::vector<uint8_t> cubin;
  int registers = -1;
  int spillBytes = -1; ///< spill stores + spill loads
  int stackBytes = -1;
  std::string log; ///< ptxas -v output
};

/// The ptxas to use: $KDSL_PTXAS, /usr/local/cuda/bin/ptxas, or ptxas on
/// PATH; empty when there is none.
std::string findPtxas();

/// Assembles `ptx` for `arch` with ptxas; on failure returns false and sets
/// `error` (ptxas's messages).
bool assembleCubin(const std::string &ptxas, const std::string &ptx,
                   llvm::StringRef arch, CubinResult &result,
                   std::string &error);

} // namespace kdsl

#endif // KDSL_LOWERING_PIPELINE_H
