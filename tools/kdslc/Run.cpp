//===- Run.cpp - kdslc run: execute a kernel on .npy buffers --------------===//
//
// kdslc run FILE.kdsl --kernel NAME [--backend auto|interp|emulate|cuda]
//           [--grid X[,Y[,Z]]] [--config K=V,...] NAME=VALUE ...
//           [--save NAME=OUT.npy ...]
//
// Binds pointer parameters to `.npy` arrays (`x=@x.npy`), scalars and
// constexprs to numbers, specializes the kernel, runs it (on the GPU, the
// reference interpreter, or the SIMT emulator: the variant's exact per-thread
// GPU code on the host, with memcheck's, racecheck's and initcheck's checks)
// and writes the buffers named by --save back as `.npy` files.
//
//===----------------------------------------------------------------------===//

#include "Run.h"
#include "SourceFile.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Emulator/SimtEmulator.h"
#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Interpreter/Interpreter.h"
#include "kdsl/Lowering/Pipeline.h"
#include "kdsl/Support/Files.h"
#include "kdsl/Support/Npy.h"
#include "kdsl/Support/ScalarText.h"
#include "kdsl/bundle.hpp"

#include "Kpack.h"
#include "Launch.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kdsl;

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "kdslc run: error: " << message << "\n";
  return 1;
}

/// The .npy dtype that holds elements of `type` (bf16 travels as `<u2`).
std::optional<NpyDType> npyTypeOf(Type type) {
  if (type.isInteger(1))
    return NpyDType::Bool;
  if (type.isInteger(8))
    return NpyDType::I8;
  if (type.isInteger(16))
    return NpyDType::I16;
  if (type.isInteger(32))
    return NpyDType::I32;
  if (type.isInteger(64))
    return NpyDType::I64;
  if (type.isF16())
    return NpyDType::F16;
  if (type.isBF16())
    return NpyDType::U16;
  if (type.isF32())
    return NpyDType::F32;
  if (type.isF64())
    return NpyDType::F64;
  return std::nullopt;
}

/// A pointer argument: its array as read, and the buffer the kernel sees.
struct BoundArray {
  NpyArray array;
  HostBuffer buffer;
};

} // namespace

/// Compiles `variant` for the device at hand, puts it in a temporary bundle
/// with `generic`'s signature, and launches it through the runtime.
static int runOnGpu(KernelOp generic, KernelOp variant,
                    const std::string &config, const RunOptions &options) {
  const rt::DeviceInfo &device = rt::Device::get().info();
  GpuTarget target;
  target.arch = device.computeMajor == 9 ? "sm_90a" : "sm_80";
  target.assumeAligned = false; // any buffer, any stride
  OwningOpRef<ModuleOp> module = ModuleOp::create(variant.getLoc());
  module->getBody()->push_back(variant->clone());
  FailureOr<std::vector<KernelPTX>> ptx = compileToPTX(*module, target);
  if (failed(ptx))
    return 1;
  rt::BundleContents bundle;
  bundle.producer = "kdslc run";
  bundle.kernels.push_back(describeKernel(generic, ""));
  rt::VariantInfo v;
  v.config = rt::parseConfig(config);
  v.entry = ptx->front().name;
  v.ptx = ptx->front().ptx;
  v.sharedBytes = ptx->front().sharedBytes;
  v.numWarps = *variant.getNumWarps();
  v.numStages = *variant.getNumStages();
  std::string ptxas = findPtxas(), error;
  CubinResult cubin;
  if (!ptxas.empty() && assembleCubin(ptxas, v.ptx, target.arch, cubin, error))
    v.binaries.push_back({target.arch, std::move(cubin.cubin), cubin.registers,
                          cubin.spillBytes, cubin.stackBytes});
  bundle.kernels.back().variants.push_back(std::move(v));
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("kdslc-run", "kpack", path))
    return fail("cannot create a temporary bundle");
  auto cleanup = llvm::scope_exit([&] { llvm::sys::fs::remove(path); });
  try {
    rt::writeBundle(path.str().str(), bundle);
  } catch (const rt::Error &e) {
    return fail(e.what());
  }
  LaunchRequest request;
  request.bundle = path.str().str();
  request.kernel = options.kernel;
  request.config = config;
  request.grid = options.grid;
  request.bindings = options.bindings;
  request.saves = options.saves;
  request.tool = "kdslc run";
  return launchFromBundle(request);
}

/// Lowers `variant` to per-thread GPU code in the specialization the runtime
/// would launch for `args` (its buffers count as 16-byte aligned, as device
/// allocations are) and runs that code on the SIMT emulator.
static int runOnEmulator(KernelOp variant, ArrayRef<LaunchArg> args,
                         std::array<int64_t, 3> grid,
                         const std::string &config) {
  MLIRContext *context = variant.getContext();
  DialectRegistry registry;
  registerGpuLowering(registry);
  context->appendDialectRegistry(registry);
  loadGpuDialects(context);

  std::vector<std::string> names, pointers;
  std::map<std::string, int64_t> integers;
  for (auto [i, type] : llvm::enumerate(variant.getArgumentTypes())) {
    names.push_back(cast<StringAttr>(variant.getParamNames()[i]).str());
    if (isa<PtrType>(type))
      pointers.push_back(names.back());
    else if (isa<IntegerType>(type))
      integers[names.back()] = args[i].intValue;
  }
  std::optional<Specialization> specialization = launchedFor(
      specializationsOf(variant, pointers.size()), pointers.size(), integers);
  GpuTarget target;
  assume(target, specialization);
  OwningOpRef<ModuleOp> module = ModuleOp::create(variant.getLoc());
  module->getBody()->push_back(variant->clone());
  PassManager pm(context);
  buildGpuPipeline(pm, target, /*toLLVM=*/false);
  if (failed(pm.run(*module)))
    return 1;
  gpu::GPUFuncOp func;
  module->walk([&](gpu::GPUFuncOp f) {
    if (f.getName() == variant.getSymName())
      func = f;
  });
  if (!func)
    return fail("lowering '" + variant.getSymName() + "' made no gpu.func");

  std::string requirements = requirementsOf(specialization, pointers);
  llvm::errs() << "kdslc run: '" << variant.getSymName()
               << "' on the SIMT emulator (" << target.arch << " code, "
               << (requirements.empty() ? "generic" : requirements)
               << "), grid " << grid[0] << "x" << grid[1] << "x" << grid[2]
               << ", config " << config << "\n";
  EmulatorStats stats;
  if (failed(emulate(func, grid, args, names, &stats)))
    return 1;
  if (stats.ldmatrixMatrices)
    llvm::errs() << "kdslc run: ldmatrix read " << stats.ldmatrixMatrices
                 << " 8x8 matrices in " << stats.ldmatrixWavefronts
                 << " shared-memory wavefronts ("
                 << stats.ldmatrixWavefronts - stats.ldmatrixMatrices
                 << " more than one each: bank conflicts)\n";
  return 0;
}

int kdsl::runKernel(const RunOptions &options) {
  std::string noGpu;
  bool haveGpu = (options.backend == "auto" || options.backend == "cuda") &&
                 rt::driverAvailable(&noGpu);
  if (options.backend == "cuda" && !haveGpu)
    return fail("--backend cuda: " + noGpu);

  SourceFile file;
  std::string error;
  if (!file.load(options.input, error))
    return fail(error);
  MLIRContext &context = file.context;
  FailureOr<FrontendResult> result =
      runFrontend(file.text, options.input, context, /*emitIR=*/true);
  if (failed(result))
    return 1;
  ModuleOp module = *result->ir;
  KernelOp kernel = findKernel(module, options.kernel, options.input, error);
  if (!kernel)
    return fail(error);

  // Sort NAME=VALUE bindings by what the parameter is.
  llvm::StringMap<std::string> given;
  for (const std::string &binding : options.bindings) {
    auto [name, value] = StringRef(binding).split('=');
    if (name.empty() || value.empty() || !StringRef(binding).contains('='))
      return fail("argument '" + binding + "' must be NAME=VALUE");
    std::optional<unsigned> index = kernel.lookupParam(name);
    if (!index) {
      std::string names;
      for (Attribute attr : kernel.getParamNames())
        names += (names.empty() ? "" : ", ") + cast<StringAttr>(attr).str();
      return fail("kernel '" + options.kernel + "' has no parameter '" + name +
                  "' (parameters: " + names + ")");
    }
    if (!given.try_emplace(name, value.str()).second)
      return fail("argument '" + name + "' is given twice");
  }
  llvm::StringMap<ScalarValue> scalars;
  SmallVector<std::string> configEntries;
  if (!parseConfigOption(options.config, /*alternatives=*/false, configEntries,
                         error))
    return fail("--config: " + error);
  std::vector<std::string> config(configEntries.begin(), configEntries.end());
  for (unsigned i = 0, e = kernel.getNumArguments(); i != e; ++i) {
    StringRef name = cast<StringAttr>(kernel.getParamNames()[i]).getValue();
    Type type = kernel.getArgumentTypes()[i];
    auto it = given.find(name);
    if (isa<PtrType>(type) || it == given.end())
      continue;
    StringRef value = it->second;
    if (value.starts_with("@"))
      return fail("argument '" + name + "' is a " + formatType(type) +
                  " scalar, not a buffer: pass " + name + "=VALUE");
    // Stored exactly as given or refused (kdsl/Support/ScalarText.h).
    ScalarValue parsed;
    if (std::string why =
            parseScalarText(value.str(), formatType(type), parsed);
        !why.empty())
      return fail("argument '" + name + "' (" + formatType(type) + "): " + why);
    scalars[name] = parsed;
    // Constexprs are bound by specialization; integer scalars also feed
    // constexpr defaults such as next_pow2(n_cols).
    if (kernel.isConstexpr(i) || isa<IntegerType>(type))
      config.push_back((name + "=" + llvm::Twine(parsed.integer)).str());
  }

  // The generic kernel describes the signature of a GPU bundle.
  OwningOpRef<KernelOp> generic = cast<KernelOp>(kernel->clone());
  PassManager pm(&context);
  KdslSpecializeOptions specializeOptions;
  specializeOptions.kernel = options.kernel;
  specializeOptions.config.assign(config.begin(), config.end());
  pm.addPass(createKdslSpecialize(specializeOptions));
  if (failed(pm.run(module)))
    return 1;

  // Bind the variant's runtime parameters.
  ArrayRef<Type> types = kernel.getArgumentTypes();
  std::vector<std::unique_ptr<BoundArray>> arrays(types.size());
  std::vector<LaunchArg> args;
  llvm::StringMap<BoundArray *> byName;
  for (unsigned i = 0, e = types.size(); i != e; ++i) {
    std::string name = cast<StringAttr>(kernel.getParamNames()[i]).str();
    Type type = types[i];
    auto it = given.find(name);
    if (it == given.end()) {
      if (auto ptr = dyn_cast<PtrType>(type))
        return fail("missing argument '" + name + "' (a *" +
                    formatType(ptr.getPointeeType()) + ": pass " + name +
                    "=@FILE.npy)");
      return fail("missing argument '" + name + "' (a " + formatType(type) +
                  ": pass " + name + "=VALUE)");
    }
    StringRef value = it->second;
    if (auto ptr = dyn_cast<PtrType>(type)) {
      if (!value.consume_front("@"))
        return fail("argument '" + name + "' is a pointer: pass " + name +
                    "=@FILE.npy, not '" + value + "'");
      auto bound = std::make_unique<BoundArray>();
      if (!readNpy(value.str(), bound->array, error))
        return fail(error);
      NpyDType want = *npyTypeOf(ptr.getPointeeType());
      if (bound->array.dtype != want)
        return fail("argument '" + name + "' points to " +
                    formatType(ptr.getPointeeType()) + " (.npy dtype " +
                    npyDTypeName(want) + ") but '" + value + "' holds " +
                    npyDTypeName(bound->array.dtype));
      bound->buffer.elementType = ptr.getPointeeType();
      bound->buffer.bytes = std::move(bound->array.data);
      args.push_back(LaunchArg::ofBuffer(bound->buffer));
      byName[name] = bound.get();
      arrays[i] = std::move(bound);
      continue;
    }
    // Read above, before specialization.
    const ScalarValue &parsed = scalars[name];
    args.push_back(parsed.isFloat ? LaunchArg::ofFloat(parsed.real)
                                  : LaunchArg::ofInt(parsed.integer));
  }
  for (const std::string &save : options.saves) {
    auto [name, path] = StringRef(save).split('=');
    if (path.empty())
      return fail("--save '" + save + "' must be NAME=OUT.npy");
    if (!byName.count(name))
      return fail("--save: '" + name +
                  "' is not a pointer argument of kernel '" + options.kernel +
                  "'");
    if (!checkOutputPath(path.str(), error))
      return fail(error);
  }

  std::array<int64_t, 3> grid = {1, 1, 1};
  if (!options.grid.empty()) {
    SmallVector<StringRef> dims;
    StringRef(options.grid).split(dims, ',');
    if (dims.size() > 3)
      return fail("--grid takes 1 to 3 numbers, got '" + options.grid + "'");
    for (auto [i, dim] : llvm::enumerate(dims))
      if (dim.trim().getAsInteger(0, grid[i]) || grid[i] < 0)
        return fail("--grid '" + options.grid +
                    "' must be 1 to 3 non-negative integers");
  } else {
    FailureOr<std::array<int64_t, 3>> evaluated = evaluateGrid(kernel, args);
    if (failed(evaluated))
      return 1;
    grid = *evaluated;
  }

  std::string bindings;
  llvm::raw_string_ostream os(bindings);
  DictionaryAttr boundConstexprs = *kernel.getBindings();
  for (NamedAttribute entry : boundConstexprs)
    os << entry.getName().getValue() << "="
       << getConfigInt(cast<IntegerAttr>(entry.getValue())) << ",";
  os << "num_warps=" << *kernel.getNumWarps()
     << ",num_stages=" << *kernel.getNumStages();
  if (haveGpu)
    return runOnGpu(*generic, kernel, bindings, options);
  if (options.backend == "emulate") {
    if (int status = runOnEmulator(kernel, args, grid, bindings))
      return status;
  } else {
    llvm::errs() << "kdslc run: '" << options.kernel << "' on the interpreter ("
                 << (options.backend == "interp" ? "--backend interp"
                                                 : "no CUDA driver found")
                 << "), grid " << grid[0] << "x" << grid[1] << "x" << grid[2]
                 << ", config " << bindings << "\n";
    if (failed(interpret(kernel, grid, args)))
      return 1;
  }

  for (const std::string &save : options.saves) {
    auto [name, path] = StringRef(save).split('=');
    BoundArray *bound = byName[name];
    // Moved, not copied: a buffer saved twice is saved from the same bytes.
    bound->array.data = std::move(bound->buffer.bytes);
    bool written = writeNpy(path.str(), bound->array, error);
    bound->buffer.bytes = std::move(bound->array.data);
    if (!written)
      return fail(error);
  }
  return 0;
}
