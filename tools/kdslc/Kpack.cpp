//===- Kpack.cpp - kdslc --emit=kpack -------------------------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "Kpack.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Lowering/Pipeline.h"
#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/bundle.hpp"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/xxhash.h"
#include <future>
#include <map>
#include <mutex>
#include <unistd.h>

#include <chrono>
#include <set>

using namespace mlir;
using namespace kdsl;

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "kdslc: error: " << message << "\n";
  return 1;
}

rt::DType dtypeOf(Type type) {
  if (type.isF16())
    return rt::DType::F16;
  if (type.isBF16())
    return rt::DType::BF16;
  if (type.isF32())
    return rt::DType::F32;
  if (type.isF64())
    return rt::DType::F64;
  switch (type.getIntOrFloatBitWidth()) {
  case 1:
    return rt::DType::Bool;
  case 8:
    return rt::DType::I8;
  case 16:
    return rt::DType::I16;
  case 32:
    return rt::DType::I32;
  default:
    return rt::DType::I64;
  }
}

} // namespace

rt::KernelInfo kdsl::describeKernel(KernelOp kernel,
                                    llvm::StringRef sourceHash) {
  rt::KernelInfo info;
  info.name = kernel.getSymName().str();
  for (unsigned i = 0, e = kernel.getNumArguments(); i != e; ++i) {
    rt::ParamInfo p;
    p.name = cast<StringAttr>(kernel.getParamNames()[i]).str();
    Type type = kernel.getArgumentTypes()[i];
    if (auto ptr = dyn_cast<PtrType>(type)) {
      p.kind = rt::ParamInfo::Kind::Pointer;
      p.type = dtypeOf(ptr.getPointeeType());
    } else {
      p.kind = kernel.isConstexpr(i) ? rt::ParamInfo::Kind::Constexpr
                                     : rt::ParamInfo::Kind::Scalar;
      p.type = dtypeOf(type);
      if (StringAttr def =
              kernel.isConstexpr(i) ? kernel.getDefaultExpr(i) : StringAttr())
        p.defaultExpr = def.str();
    }
    info.params.push_back(p);
  }
  if (std::optional<ArrayAttr> grid = kernel.getGrid())
    for (Attribute dim : *grid)
      info.grid.push_back(cast<StringAttr>(dim).str());
  KernelConfigInfo config = getConfigInfo(kernel);
  info.fixedConfig = config.fixedConfig;
  for (TuneAxis &axis : config.tuneAxes)
    info.tuneSpace.emplace_back(axis.name, axis.values);
  info.tuneWhere = config.tuneWhere;
  if (std::optional<AutotuneAttr> tune = kernel.getAutotune()) {
    for (Attribute key : tune->getKey())
      info.tuneKey.push_back(cast<StringAttr>(key).str());
  }
  info.sourceHash = sourceHash.str();
  return info;
}

namespace {

/// The cartesian product of `NAME=a|b` entries.
std::vector<std::vector<std::string>>
expandAlternatives(llvm::ArrayRef<std::string> entries) {
  std::vector<std::vector<std::string>> sets = {{}};
  for (const std::string &entry : entries) {
    auto [name, values] = llvm::StringRef(entry).split('=');
    std::vector<std::vector<std::string>> next;
    for (const auto &set : sets)
      for (llvm::StringRef value : llvm::split(values, '|')) {
        auto extended = set;
        extended.push_back((name.trim() + "=" + value.trim()).str());
        next.push_back(extended);
      }
    sets = std::move(next);
  }
  return sets;
}

/// One variant to compile: its module (one specialized kernel) and where
/// its results go.
struct Job {
  OwningOpRef<ModuleOp> module;
  size_t kernel;
  rt::VariantInfo variant;
  std::optional<Specialization> specialization;
  std::string error;
};

/// How many variants a compile must have before kdslc says how many and
/// (on a terminal) shows how far it is.
constexpr size_t kProgressFrom = 64;

/// The progress of a bundle's compile, from the thread pool's workers.
class Progress {
public:
  explicit Progress(size_t total)
      : total(total), shown(total >= kProgressFrom),
        bar(shown && ::isatty(STDERR_FILENO)) {
    if (shown)
      llvm::errs() << "kdslc: compiling " << total
                   << " variants (configs x specializations)\n";
  }
  void advance() {
    if (!bar)
      return;
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    size_t filled = 30 * done / total;
    llvm::errs() << "\r  compiling [" << std::string(filled, '#')
                 << std::string(30 - filled, '.') << "] " << done << "/"
                 << total << (done == total ? "\n" : "");
    llvm::errs().flush();
  }

private:
  size_t total, done = 0;
  bool shown, bar;
  std::mutex mutex;
};

} // namespace

int kdsl::emitKpack(ModuleOp module, llvm::StringRef input,
                    llvm::ArrayRef<std::string> configEntries,
                    llvm::StringRef output, const KpackOptions &kpack) {
  auto start = std::chrono::steady_clock::now();
  MLIRContext *context = module.getContext();
  std::string path = output.str();
  if (path.empty()) {
    llvm::SmallString<128> p(input);
    llvm::sys::path::replace_extension(p, "kpack");
    path = std::string(llvm::sys::path::filename(p));
  }
  std::string sourceHash;
  {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    sourceHash = llvm::utohexstr(llvm::xxh3_64bits(text), /*LowerCase=*/true);
  }

  rt::BundleContents bundle;
  bundle.producer = "kdslc " KDSL_VERSION;
  std::vector<Job> jobs;
  for (KernelOp kernel : module.getOps<KernelOp>()) {
    if (!kpack.kernel.empty() && kernel.getSymName() != kpack.kernel)
      continue;
    size_t index = bundle.kernels.size();
    bundle.kernels.push_back(describeKernel(kernel, sourceHash));
    const rt::KernelInfo &info = bundle.kernels.back();
    // The points of the space (or the one config), each with each set of
    // command-line alternatives.
    std::vector<Config> points = {{}};
    if (!info.tuneSpace.empty()) {
      std::vector<TuneAxis> axes;
      for (const auto &[name, values] : info.tuneSpace)
        axes.push_back({name, values});
      std::string error;
      points = enumerateConfigs(axes, info.tuneWhere, error);
      if (!error.empty() || points.empty())
        points = {{}}; // `where` reads other values: resolve one config
    }
    std::set<std::string> seen;
    for (const auto &alternatives : expandAlternatives(configEntries))
      for (const Config &point : points) {
        std::vector<std::string> entries = alternatives;
        for (const auto &entry : point)
          if (llvm::none_of(entries, [&](const std::string &e) {
                return llvm::StringRef(e).split('=').first == entry.first;
              }))
            entries.push_back(entry.first + "=" + std::to_string(entry.second));
        OwningOpRef<ModuleOp> variantModule = ModuleOp::create(kernel.getLoc());
        variantModule->getBody()->push_back(kernel->clone());
        PassManager pm(context);
        KdslSpecializeOptions options;
        options.config.assign(entries.begin(), entries.end());
        pm.addPass(createKdslSpecialize(options));
        if (failed(pm.run(*variantModule))) {
          if (kpack.failures) {
            rt::ConfigEntries config;
            for (const std::string &e : entries) {
              auto [name, value] = llvm::StringRef(e).split('=');
              int64_t v = 0;
              if (!value.getAsInteger(0, v))
                config.emplace_back(name.str(), v);
            }
            kpack.failures->push_back(
                {config, "does not specialize (see the error above)"});
            continue;
          }
          return fail("kernel '" + info.name + "': config " +
                      llvm::join(entries, ",") +
                      " does not specialize; bind what its defaults read "
                      "with --config (e.g. BLOCK=1024|4096)");
        }
        auto variantKernel = *variantModule->getOps<KernelOp>().begin();
        rt::VariantInfo v;
        DictionaryAttr bindings = *variantKernel.getBindings();
        for (NamedAttribute b : bindings)
          v.config.emplace_back(b.getName().str(),
                                getConfigInt(cast<IntegerAttr>(b.getValue())));
        v.numWarps = *variantKernel.getNumWarps();
        v.numStages = *variantKernel.getNumStages();
        v.config.emplace_back("num_warps", v.numWarps);
        v.config.emplace_back("num_stages", v.numStages);
        v.entry = info.name;
        if (!seen.insert(rt::formatConfig(v.config)).second)
          continue;
        std::vector<std::string> pointers;
        for (const rt::ParamInfo &p : info.params)
          if (p.kind == rt::ParamInfo::Kind::Pointer)
            pointers.push_back(p.name);
        SmallVector<std::optional<Specialization>, 5> specializations =
            specializationsOf(variantKernel, pointers.size());
        if (kpack.launchIntegers)
          specializations = {launchedFor(specializations, pointers.size(),
                                         *kpack.launchIntegers)};
        for (const std::optional<Specialization> &assumed : specializations) {
          Job job;
          job.kernel = index;
          job.variant = v;
          job.specialization = assumed;
          job.variant.specialization = requirementsOf(assumed, pointers);
          job.module = ModuleOp::create(kernel.getLoc());
          job.module->getBody()->push_back(variantKernel->clone());
          jobs.push_back(std::move(job));
        }
      }
  }

  // Lower and assemble on a thread pool. Dialects load only on this thread.
  loadGpuDialects(context);
  std::string ptxas = findPtxas();
  // Configs that lower to the same per-thread code (a num_stages with no
  // loop to pipeline, a specialization that changed nothing) run the LLVM
  // back end and ptxas once: the first job to need a result computes it,
  // the others wait for it.
  struct Assembled {
    bool ok = false;
    CubinResult cubin;
    std::string error;
  };
  SharedPTX sharedPtx;
  SharedResults<Assembled> sharedCubins;
  // A large space says how large, and on a terminal shows its progress.
  Progress progress(jobs.size());
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
  for (Job &job : jobs)
    pool.async([&job, &ptxas, &kpack, &sharedPtx, &sharedCubins, &progress] {
      auto done = llvm::scope_exit([&] { progress.advance(); });
      for (const std::string &archName : kpack.archs) {
        const char *arch = archName.c_str();
        OwningOpRef<ModuleOp> copy = job.module->clone();
        GpuTarget target;
        target.arch = arch;
        assume(target, job.specialization);
        auto ptx = compileToPTX(*copy, target, /*timing=*/nullptr, &sharedPtx);
        if (failed(ptx) || ptx->empty()) {
          job.error = "lowering to PTX for " + std::string(arch) + " failed";
          return;
        }
        const KernelPTX &kernel = ptx->front();
        job.variant.sharedBytes = kernel.sharedBytes;
        // The first arch's PTX (sm_80: portable) is the JIT fallback.
        if (archName == kpack.archs.front())
          job.variant.ptx = kernel.ptx;
        if (ptxas.empty())
          continue;
        Assembled a = sharedCubins.get(archName + "\n" + kernel.ptx, [&] {
          Assembled a;
          a.ok = assembleCubin(ptxas, kernel.ptx, arch, a.cubin, a.error);
          return a;
        });
        if (!a.ok) {
          job.error = a.error;
          return;
        }
        job.variant.binaries.push_back({arch, std::move(a.cubin.cubin),
                                        a.cubin.registers, a.cubin.spillBytes,
                                        a.cubin.stackBytes});
      }
    });
  pool.wait();
  size_t written = 0;
  for (Job &job : jobs) {
    if (!job.error.empty() && kpack.failures) {
      kpack.failures->push_back({job.variant.config, job.error});
      continue;
    }
    if (!job.error.empty())
      return fail("kernel '" + bundle.kernels[job.kernel].name + "' (" +
                  rt::formatConfig(job.variant.config) + "): " + job.error);
    bundle.kernels[job.kernel].variants.push_back(std::move(job.variant));
    ++written;
  }
  try {
    rt::writeBundle(path, bundle);
  } catch (const rt::Error &error) {
    return fail(error.what());
  }
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  llvm::errs() << "kdslc: wrote " << written << " variants of "
               << bundle.kernels.size() << " kernel"
               << (bundle.kernels.size() == 1 ? "" : "s") << " to '"
               << (kpack.shownAs.empty() ? path : kpack.shownAs) << "' (PTX"
               << (ptxas.empty()
                       ? ", no ptxas found: no cubins"
                       : " and cubins for " + llvm::join(kpack.archs, " and "))
               << ") in " << llvm::format("%.0f", ms) << " ms\n";
  return 0;
}
