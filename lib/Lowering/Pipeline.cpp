//===- Pipeline.cpp - From kdsl variants to PTX and cubin -----------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Pipeline.h"
#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Lowering/Passes.h"
#include "kdsl/Support/Limits.h"

#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"

using namespace mlir;
using kdsl::Specialization;

static const char *const kLibdevice =
    "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc";

/// From gpu.func to the LLVM and NVVM dialects, then to PTX.
#define KDSL_TO_LLVM                                                           \
  "gpu.module(convert-scf-to-cf{allow-pattern-rollback=false},"                \
  "convert-gpu-to-nvvm{allow-pattern-rollback=false}),"                        \
  "convert-math-to-llvm,convert-arith-to-llvm,convert-vector-to-llvm,"         \
  "convert-cf-to-llvm,reconcile-unrealized-casts,gpu.module(canonicalize,cse)"
static const char *const kToLLVM = KDSL_TO_LLVM;
static const char *const kToPtx =
    KDSL_TO_LLVM ",gpu-module-to-binary{format=isa}";

void kdsl::loadGpuDialects(MLIRContext *context) {
  PassManager pm(context);
  buildGpuPipeline(pm, GpuTarget(), /*toLLVM=*/false);
  if (failed(parsePassPipeline(kToPtx, pm, llvm::errs())))
    llvm::report_fatal_error("kdsl: the GPU pass pipeline does not parse");
  DialectRegistry registry;
  pm.getDependentDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
}

/// Which results of the users paramsUsedBy counts.
enum class UserResult { Any, Block, BlockAlongLastDim };

/// The integer parameters of `op` that are operands of an `OpTy` (through
/// splats, broadcasts and extensions), in parameter order, where the user's
/// result is of the kind `users` says (a block; a block longer than 1 in its
/// last dimension).
template <typename OpTy>
static std::vector<std::string> paramsUsedBy(Operation *op, UserResult users) {
  auto kernel = cast<kdsl::KernelOp>(op);
  llvm::SmallDenseSet<unsigned> used;
  kernel.walk([&](OpTy user) {
    auto block = dyn_cast<RankedTensorType>(user->getResult(0).getType());
    if (users != UserResult::Any && !block)
      return;
    if (users == UserResult::BlockAlongLastDim &&
        (block.getRank() == 0 || block.getShape().back() == 1))
      return;
    for (Value v : user->getOperands()) {
      while (Operation *def = v.getDefiningOp()) {
        if (!isa<kdsl::SplatOp, kdsl::BroadcastOp, kdsl::ExpandDimsOp,
                 arith::ExtSIOp, arith::ExtUIOp>(def))
          break;
        v = def->getOperand(0);
      }
      auto arg = dyn_cast<BlockArgument>(v);
      if (arg && arg.getOwner() == &kernel.getBody().front() &&
          arg.getType().isInteger())
        used.insert(arg.getArgNumber());
    }
  });
  std::vector<std::string> names;
  for (auto [i, name] : llvm::enumerate(kernel.getParamNames()))
    if (used.contains(i))
      names.push_back(cast<StringAttr>(name).str());
  return names;
}

std::vector<std::string> kdsl::strideParams(Operation *kernel) {
  return paramsUsedBy<arith::MulIOp>(kernel, UserResult::Any);
}

std::vector<std::string> kdsl::unitStrideParams(Operation *kernel) {
  return paramsUsedBy<arith::MulIOp>(kernel, UserResult::BlockAlongLastDim);
}

std::vector<std::string> kdsl::boundParams(Operation *kernel) {
  std::vector<std::string> strides = strideParams(kernel);
  std::vector<std::string> bounds;
  for (std::string &name :
       paramsUsedBy<arith::CmpIOp>(kernel, UserResult::Block))
    if (!llvm::is_contained(strides, name))
      bounds.push_back(std::move(name));
  return bounds;
}

SmallVector<std::optional<kdsl::Specialization>, 5>
kdsl::specializationsOf(Operation *variant, size_t numPointers) {
  std::vector<std::string> strides = strideParams(variant);
  std::vector<std::string> withBounds = strides;
  llvm::append_range(withBounds, boundParams(variant));
  std::vector<std::string> ones = unitStrideParams(variant);
  auto withoutOnes = [&](std::vector<std::string> names) {
    llvm::erase_if(names, [&](const std::string &name) {
      return llvm::is_contained(ones, name);
    });
    return names;
  };
  SmallVector<std::optional<Specialization>, 5> specializations = {
      std::nullopt};
  for (Specialization assumed :
       {Specialization{strides, {}}, Specialization{withBounds, {}},
        Specialization{withoutOnes(strides), ones},
        Specialization{withoutOnes(withBounds), ones}}) {
    // Without pointers, one that assumes no integer assumes nothing.
    bool nothing = numPointers == 0 && assumed.divisible.empty() &&
                   assumed.equalToOne.empty();
    bool repeated = llvm::any_of(
        specializations, [&](const std::optional<Specialization> &other) {
          return other && other->divisible == assumed.divisible &&
                 other->equalToOne == assumed.equalToOne;
        });
    if (!nothing && !repeated)
      specializations.push_back(std::move(assumed));
  }
  return specializations;
}

std::optional<kdsl::Specialization>
kdsl::launchedFor(ArrayRef<std::optional<Specialization>> specializations,
                  size_t numPointers,
                  const std::map<std::string, int64_t> &integers) {
  auto valueOf = [&](const std::string &name) {
    auto it = integers.find(name);
    return it == integers.end() ? std::optional<int64_t>() : it->second;
  };
  auto holds = [&](const Specialization &assumed) {
    return llvm::all_of(assumed.divisible,
                        [&](const std::string &name) {
                          std::optional<int64_t> v = valueOf(name);
                          return v && *v % 16 == 0;
                        }) &&
           llvm::all_of(assumed.equalToOne, [&](const std::string &name) {
             return valueOf(name) == 1;
           });
  };
  auto count = [&](const std::optional<Specialization> &assumed) {
    return assumed ? numPointers + assumed->divisible.size() +
                         assumed->equalToOne.size()
                   : 0;
  };
  std::optional<Specialization> best;
  for (const std::optional<Specialization> &assumed : specializations)
    if (assumed && holds(*assumed) && count(assumed) > count(best))
      best = assumed;
  return best;
}

std::string
kdsl::requirementsOf(const std::optional<Specialization> &specialization,
                     ArrayRef<std::string> pointers) {
  if (!specialization)
    return "";
  std::vector<std::string> requirements;
  for (const std::string &name : pointers)
    requirements.push_back(name + ":align16");
  for (const std::string &name : specialization->divisible)
    requirements.push_back(name + ":div16");
  for (const std::string &name : specialization->equalToOne)
    requirements.push_back(name + ":eq1");
  return llvm::join(requirements, ",");
}

void kdsl::assume(GpuTarget &target,
                  const std::optional<Specialization> &specialization) {
  target.assumeAligned = specialization.has_value();
  target.divisible =
      specialization ? specialization->divisible : std::vector<std::string>();
  target.equalToOne =
      specialization ? specialization->equalToOne : std::vector<std::string>();
}

bool kdsl::isSupportedArch(llvm::StringRef arch) {
  return arch == "sm_80" || arch == "sm_90a";
}

void kdsl::registerGpuLowering(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

ArrayRef<std::string> kdsl::slowCanonicalizations() {
  static const std::string names[] = {
      "(anonymous namespace)::RemoveDuplicateSuccessorInputUses",
      "{anonymous}::RemoveDuplicateSuccessorInputUses"};
  return names;
}

void kdsl::buildGpuPipeline(OpPassManager &pm, const GpuTarget &target,
                            bool toLLVM) {
  // Only the passes the pipeline names, so that a static build links only
  // their libraries.
  static bool registered = [] {
    registerKdslPipelineLoops();
    registerKdslLoweringPasses();
    registerCanonicalizerPass();
    registerCSEPass();
    registerGpuNVVMAttachTargetPass();
    registerGpuModuleToBinaryPassPass();
    registerSCFToControlFlowPass();
    registerConvertGpuOpsToNVVMOpsPass();
    registerConvertMathToLLVMPass();
    registerArithToLLVMConversionPass();
    registerConvertVectorToLLVMPass();
    registerConvertControlFlowToLLVMPass();
    registerReconcileUnrealizedCastsPass();
    return true;
  }();
  (void)registered;
  std::string libdevice =
      target.linkLibdevice && llvm::sys::fs::exists(kLibdevice)
          ? std::string(" l=") + kLibdevice
          : "";
  std::string divisible;
  for (const std::string &name : target.divisible)
    divisible += (divisible.empty() ? " divisible=" : ",") + name;
  for (auto [i, name] : llvm::enumerate(target.equalToOne))
    divisible += (i == 0 ? " equal-to-one=" : ",") + name;
  std::string pipeline =
      std::string("kdsl-pipeline-loops,kdsl-assign-layouts,"
                  "convert-kdsl-to-gpu{assume-aligned=") +
      (target.assumeAligned ? "true" : "false") + divisible +
      " max-shared-bytes=" + std::to_string(maxSharedBytes(target.arch)) +
      (target.remarks ? " remarks=true" : "") + "}," +
      "nvvm-attach-target{chip=" + target.arch + " features=+ptx80 O=3" +
      libdevice + "}";
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("kdsl: the GPU pass pipeline does not parse");
  // MLIR 22's canonicalization of duplicate loop-carried values takes time
  // cubic in their number: 12 s for a dot whose 64 threads carry 256
  // accumulators each.
  OpPassManager &gpuModule = pm.nest<gpu::GPUModuleOp>();
  gpuModule.addPass(
      createCanonicalizerPass(GreedyRewriteConfig(), slowCanonicalizations()));
  gpuModule.addPass(createCSEPass());
  if (toLLVM && failed(parsePassPipeline(kToLLVM, pm, llvm::errs())))
    llvm::report_fatal_error("kdsl: the GPU pass pipeline does not parse");
}

FailureOr<std::vector<kdsl::KernelPTX>>
kdsl::compileToPTX(ModuleOp module, const GpuTarget &target,
                   TimingScope *timing, SharedPTX *shared) {
  // First to gpu.func, to read what the launch needs, then to PTX.
  GpuTarget effective = target;
  effective.linkLibdevice = false;
  module.walk([&](Operation *op) {
    if (isa<math::MathDialect>(op->getDialect()))
      effective.linkLibdevice = true;
  });
  PassManager toGpu(module.getContext());
  buildGpuPipeline(toGpu, effective, /*toLLVM=*/false);
  if (timing)
    toGpu.enableTiming(*timing);
  if (failed(toGpu.run(module)))
    return failure();
  std::vector<KernelPTX> kernels;
  module.walk([&](gpu::GPUFuncOp func) {
    KernelPTX k;
    k.name = func.getName().str();
    if (auto shared = func->getAttrOfType<IntegerAttr>("kdsl.shared_bytes"))
      k.sharedBytes = shared.getInt();
    if (auto warps = func->getAttrOfType<IntegerAttr>("kdsl.num_warps"))
      k.numWarps = warps.getInt();
    kernels.push_back(k);
  });
  auto toPtx = [&]() -> FailureOr<std::vector<KernelPTX>> {
    PassManager pm(module.getContext());
    if (failed(parsePassPipeline(kToPtx, pm, llvm::errs())))
      return failure();
    if (timing)
      pm.enableTiming(*timing);
    if (failed(pm.run(module)))
      return failure();
    std::vector<KernelPTX> withPtx = kernels;
    size_t i = 0;
    for (auto binary : module.getOps<gpu::BinaryOp>()) {
      auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
      if (i < withPtx.size())
        withPtx[i++].ptx = object.getObject().str();
    }
    return withPtx;
  };
  if (!shared)
    return toPtx();
  std::string gpuCode;
  llvm::raw_string_ostream os(gpuCode);
  os << target.arch << "\n";
  module.print(os);
  return shared->get(os.str(), toPtx);
}

std::string kdsl::findPtxas() {
  if (const char *env = std::getenv("KDSL_PTXAS"))
    if (*env)
      return env;
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda/bin/ptxas";
  if (llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return "";
}

bool kdsl::assembleCubin(const std::string &ptxas, const std::string &ptx,
                         llvm::StringRef arch, CubinResult &result,
                         std::string &error) {
  llvm::SmallString<128> in, out, log;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("kdsl", "ptx", fd, in) ||
      llvm::sys::fs::createTemporaryFile("kdsl", "cubin", out) ||
      llvm::sys::fs::createTemporaryFile("kdsl", "log", log)) {
    error = "cannot create temporary files for ptxas";
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << ptx;
  }
  std::string archFlag = ("-arch=" + arch).str();
  std::string outPath = out.str().str();
  llvm::SmallVector<llvm::StringRef> args = {ptxas, archFlag, "-v",    "-O3",
                                             "-o",  outPath,  in.str()};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  std::string execError;
  int status = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                         /*SecondsToWait=*/120, 0, &execError);
  auto logText = llvm::MemoryBuffer::getFile(log);
  result.log = logText ? (*logText)->getBuffer().str() : "";
  auto cubin = status == 0 ? llvm::MemoryBuffer::getFile(out)
                           : llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>(
                                 std::errc::io_error);
  llvm::sys::fs::remove(in);
  llvm::sys::fs::remove(out);
  llvm::sys::fs::remove(log);
  if (status != 0 || !cubin) {
    error = "ptxas -arch=" + arch.str() + " failed" +
            (execError.empty() ? "" : ": " + execError) + "\n" + result.log;
    return false;
  }
  llvm::StringRef bytes = (*cubin)->getBuffer();
  result.cubin.assign(bytes.begin(), bytes.end());
  llvm::SmallVector<llvm::StringRef> m;
  if (llvm::Regex("Used ([0-9]+) registers").match(result.log, &m))
    result.registers = std::stoi(m[1].str());
  if (llvm::Regex("([0-9]+) bytes stack frame, ([0-9]+) bytes spill stores, "
                  "([0-9]+) bytes spill loads")
          .match(result.log, &m)) {
    result.stackBytes = std::stoi(m[1].str());
    result.spillBytes = std::stoi(m[2].str()) + std::stoi(m[3].str());
  }
  return true;
}
