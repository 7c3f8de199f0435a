//===- kdslc.cpp - The kdsl compiler driver -------------------------------===//
//
// kdslc FILE.kdsl
// [--emit=ast|kdsl|kdsl-layouts|kdsl-gpu|llvm|ptx|cubin|kpack|c-header] [-o
// OUT]
//       [--kernel NAME] [--config K=V,...] [--arch sm_80|sm_90a]
//       [--specialize=unit|div16|align16|none] [--timing] [--remarks]
//
// Stops at the stage `--emit` names, as toyc does. Every error is one
// `file:line:col: error:` diagnostic (or one `kdslc: error:` line for the
// command line itself) and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Frontend/ASTPrinter.h"
#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Lowering/Passes.h"
#include "kdsl/Support/Files.h"

#include "CHeader.h"
#include "Kpack.h"
#include "Run.h"
#include "SourceFile.h"
#include "TuneCommand.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>
#include <map>

using namespace mlir;

namespace {

struct Options {
  std::string input;
  std::string emit = "kdsl";
  std::string output = "-";
  std::string kernel;
  std::string config;
  std::string arch = "sm_90a";
  std::string specialize = "div16";
  bool timing = false;
  bool remarks = false;
};

int fail(const llvm::Twine &message) {
  llvm::errs() << "kdslc: error: " << message << "\n";
  return 1;
}

int compile(const Options &options) {
  kdsl::SourceFile file;
  std::string errorMessage;
  if (!file.load(options.input, errorMessage))
    return fail(errorMessage);

  // Check --config before any work: it is part of the command line.
  SmallVector<std::string> configEntries;
  bool bundles = options.emit == "kpack" || options.emit == "c-header";
  if (!kdsl::parseConfigOption(options.config, bundles, configEntries,
                               errorMessage))
    return fail(errorMessage);

  MLIRContext &context = file.context;

  // --timing: MLIR's timing report (as mlir-opt --mlir-timing) on stderr
  // when this function returns, one line per stage and pass.
  DefaultTimingManager timingManager;
  timingManager.setEnabled(options.timing);
  timingManager.setDisplayMode(DefaultTimingManager::DisplayMode::Tree);
  TimingScope timing = timingManager.getRootScope();
  auto timePasses = [&](PassManager &pm) {
    if (options.timing)
      pm.enableTiming(timing);
  };

  bool wantIR = options.emit != "ast";
  TimingScope frontEndTiming = timing.nest("Front end (parse, check, kdsl IR)");
  FailureOr<kdsl::FrontendResult> result =
      kdsl::runFrontend(file.text, options.input, context, wantIR);
  frontEndTiming.stop();
  if (failed(result))
    return 1;

  // Every output is written beside its target and renamed into place only
  // when complete (kdsl/Support/Files.h): a failed or killed compile leaves
  // the old file. Opened now, so that an unwritable target fails first (a
  // bundle is written by name, through an AtomicFile of its own).
  kdsl::AtomicFile output;
  bool toStdout = options.output == "-";
  if (!toStdout && !(options.emit == "kpack"
                         ? kdsl::checkOutputPath(options.output, errorMessage)
                         : output.open(options.output, errorMessage)))
    return fail(errorMessage);
  std::string text;
  llvm::raw_string_ostream os(text);
  auto writeOutput = [&]() {
    os.flush();
    bool ok = toStdout ? kdsl::writeOutputFile("-", text, errorMessage)
                       : output.write(text, errorMessage) &&
                             output.commit(errorMessage);
    return ok ? 0 : fail(errorMessage);
  };

  if (options.emit == "ast") {
    if (!options.config.empty())
      return fail("--config applies to --emit=kdsl, not to the AST");
    if (!options.kernel.empty() &&
        llvm::none_of(result->ast->kernels, [&](const auto &kernel) {
          return kernel->name == options.kernel;
        }))
      return fail("no kernel named '" + options.kernel + "' in '" +
                  options.input + "'");
    kdsl::printAST(*result->ast, os);
    return writeOutput();
  }

  ModuleOp module = *result->ir;
  if (!options.kernel.empty()) {
    kdsl::KernelOp keep =
        kdsl::findKernel(module, options.kernel, options.input, errorMessage);
    if (!keep)
      return fail(errorMessage);
    // Print only the kernel asked for.
    for (kdsl::KernelOp other :
         llvm::make_early_inc_range(module.getOps<kdsl::KernelOp>()))
      if (other != keep)
        other.erase();
  }
  if ((options.emit == "kpack" || options.emit == "c-header") &&
      module.getOps<kdsl::KernelOp>().empty())
    return fail("'" + options.input +
                "' has no kernels: there is nothing to bundle");
  if (options.emit == "kpack") {
    return kdsl::emitKpack(module, options.input, configEntries,
                           options.output == "-" ? "" : options.output);
  }
  if (options.emit == "c-header") {
    if (int status = kdsl::emitCHeader(
            module, options.input, configEntries,
            toStdout ? "standard output" : options.output, os))
      return status;
    return writeOutput();
  }
  bool gpuStage = options.emit != "kdsl";
  if (options.remarks &&
      !llvm::is_contained({"kdsl-gpu", "llvm", "ptx", "cubin"}, options.emit))
    return fail("--remarks needs --emit=kdsl-gpu, llvm, ptx or cubin (it "
                "reports how one variant is lowered)");
  if (!options.config.empty() || gpuStage) {
    unsigned kernels = llvm::range_size(module.getOps<kdsl::KernelOp>());
    if (kernels == 0)
      return fail("'" + options.input + "' has no kernels" +
                  (options.config.empty()
                       ? " to compile for --emit=" + options.emit
                       : std::string(" to apply --config to")));
    if (kernels != 1 && !options.config.empty())
      return fail("--config needs --kernel NAME when the file has " +
                  llvm::Twine(kernels) + " kernels");
    if (kernels != 1 && options.emit == "cubin")
      return fail("--emit=cubin needs --kernel NAME when the file has " +
                  llvm::Twine(kernels) + " kernels");
    PassManager pm(&context);
    kdsl::KdslSpecializeOptions specializeOptions;
    specializeOptions.config.assign(configEntries.begin(), configEntries.end());
    pm.addPass(kdsl::createKdslSpecialize(specializeOptions));
    timePasses(pm);
    if (failed(pm.run(module)))
      return 1;
  }
  kdsl::GpuTarget target;
  target.arch = options.arch;
  target.remarks = options.remarks;
  target.assumeAligned = options.specialize != "none";
  // The assumptions go by parameter name, for every kernel of the module: a
  // name is assumed divisible (or 1) only where each kernel that has it
  // specializes on it so.
  std::map<std::string, bool> divisible, one;
  for (kdsl::KernelOp kernel : module.getOps<kdsl::KernelOp>()) {
    std::vector<std::string> names, ones;
    if (target.assumeAligned)
      names = kdsl::strideParams(kernel);
    if (options.specialize == "div16" || options.specialize == "unit")
      llvm::append_range(names, kdsl::boundParams(kernel));
    if (options.specialize == "unit")
      ones = kdsl::unitStrideParams(kernel);
    for (Attribute param : kernel.getParamNames()) {
      std::string name = cast<StringAttr>(param).str();
      bool isOne = llvm::is_contained(ones, name);
      divisible.emplace(name, true).first->second &=
          !isOne && llvm::is_contained(names, name);
      one.emplace(name, true).first->second &= isOne;
    }
  }
  for (const auto &[name, holds] : divisible)
    if (holds)
      target.divisible.push_back(name);
  for (const auto &[name, holds] : one)
    if (holds)
      target.equalToOne.push_back(name);
  if (options.emit == "kdsl-layouts") {
    PassManager pm(&context);
    pm.addPass(kdsl::createKdslPipelineLoops());
    pm.addPass(kdsl::createKdslAssignLayouts());
    timePasses(pm);
    if (failed(pm.run(module)))
      return 1;
  } else if (options.emit == "kdsl-gpu" || options.emit == "llvm") {
    PassManager pm(&context);
    kdsl::buildGpuPipeline(pm, target, options.emit == "llvm");
    timePasses(pm);
    if (failed(pm.run(module)))
      return 1;
  } else if (options.emit == "ptx" || options.emit == "cubin") {
    // The kernel's location, for the remark on what ptxas made of it.
    Location kernelLoc = (*module.getOps<kdsl::KernelOp>().begin()).getLoc();
    auto ptx =
        kdsl::compileToPTX(module, target, options.timing ? &timing : nullptr);
    if (failed(ptx))
      return 1;
    if (options.emit == "ptx") {
      for (const kdsl::KernelPTX &kernel : *ptx)
        os << (ptx->size() > 1 ? "// kernel " + kernel.name + "\n" : "")
           << kernel.ptx;
    } else {
      std::string ptxas = kdsl::findPtxas();
      if (ptxas.empty())
        return fail("--emit=cubin needs ptxas (set KDSL_PTXAS or install the "
                    "CUDA toolkit in /usr/local/cuda)");
      kdsl::CubinResult cubin;
      TimingScope ptxasTiming = timing.nest("ptxas");
      if (!kdsl::assembleCubin(ptxas, ptx->front().ptx, options.arch, cubin,
                               errorMessage))
        return fail(errorMessage);
      ptxasTiming.stop();
      if (options.remarks)
        emitRemark(kernelLoc)
            << "kernel " << ptx->front().name << " for " << options.arch << ": "
            << cubin.registers << " registers, " << cubin.spillBytes
            << " bytes spilled, " << cubin.stackBytes << " bytes of stack, "
            << ptx->front().sharedBytes << " bytes of shared memory, "
            << ptx->front().numWarps << " warps";
      os.write(reinterpret_cast<const char *>(cubin.cubin.data()),
               cubin.cubin.size());
    }
    return writeOutput();
  }
  module.print(os);
  return writeOutput();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  CLI::App app{"kdslc: the kdsl kernel compiler"};
  app.require_subcommand(0, 1);
  Options options;

  kdsl::RunOptions run;
  CLI::App *runCommand = app.add_subcommand(
      "run", "Run a kernel on .npy buffers: on the GPU when a CUDA driver is "
             "found, else on the reference interpreter (see --backend)");
  runCommand->add_option("file", run.input, "The .kdsl file")->required();
  runCommand->add_option("--kernel", run.kernel, "The kernel to run")
      ->required();
  runCommand
      ->add_option("--backend", run.backend,
                   "auto (the GPU when the runtime finds one, else the "
                   "interpreter), interp, emulate (the variant's GPU code on "
                   "the CPU, with bounds, race and uninitialized-read "
                   "checks) or cuda")
      ->check(CLI::IsMember({"auto", "interp", "emulate", "cuda"}))
      ->capture_default_str();
  runCommand->add_option("--grid", run.grid,
                         "X[,Y[,Z]] (default: the kernel's grid(...))");
  runCommand->add_option("--config", run.config,
                         "NAME=VALUE,... for constexprs, num_warps, "
                         "num_stages");
  runCommand->add_option("--save", run.saves,
                         "NAME=OUT.npy: write pointer NAME's buffer back "
                         "after the run (repeatable)");
  runCommand->add_option("args", run.bindings,
                         "NAME=VALUE: a number for a scalar or constexpr, "
                         "@FILE.npy for a pointer");

  kdsl::TuneCommand tune;
  std::string tuneInput, tuneBundle;
  CLI::App *tuneCommand = app.add_subcommand(
      "tune", "Time every config of a kernel's @autotune space on the GPU and "
              "store the results in the tuning cache");
  tuneCommand->add_option("file", tuneInput, "The .kdsl file")->required();
  tuneCommand->add_option("--kernel", tune.kernel, "The kernel to tune")
      ->required();
  tuneCommand->add_option(
      "args", tune.bindings,
      "NAME=VALUE for a scalar or a constexpr outside the space; "
      "NAME=@FILE.npy or NAME=DTYPE:COUNT (random elements) for a pointer");
  tuneCommand->add_option("--db", tune.db,
                          "The tuning cache (default: $KDSL_CACHE_DIR/"
                          "tune.db, else $XDG_CACHE_HOME/kdsl/tune.db, else "
                          "~/.cache/kdsl/tune.db)");
  tuneCommand
      ->add_option("--top", tune.top,
                   "Re-time the best N in isolation before declaring "
                   "a winner")
      ->capture_default_str();
  tuneCommand
      ->add_option("--budget-ms", tune.budgetMs,
                   "Repetitions per config, by time")
      ->capture_default_str();
  tuneCommand->add_flag("--no-prune", tune.noPrune,
                        "Time every config fully, even those whose early "
                        "estimate is over 3x the best");
  tuneCommand->add_option("--report", tune.report,
                          "Write a self-contained HTML page of the results");
  tuneCommand->add_option("--bundle", tuneBundle,
                          "Reuse this .kpack (from --emit=kpack) instead of "
                          "compiling");

  kdsl::CacheCommand cache;
  CLI::App *cacheCommand =
      app.add_subcommand("cache", "Inspect and manage a tuning cache");
  cacheCommand->require_subcommand(1);
  auto addDb = [&](CLI::App *command) {
    command->add_option("--db", cache.db,
                        "The tuning cache (default as for kdslc tune)");
  };
  CLI::App *cacheList = cacheCommand->add_subcommand(
      "list", "Tuned kernels, keys and devices, with their winners");
  CLI::App *cacheShow =
      cacheCommand->add_subcommand("show", "Every row of one kernel");
  cacheShow->add_option("kernel", cache.kernel, "The kernel")->required();
  CLI::App *cacheExport = cacheCommand->add_subcommand(
      "export", "Write rows as CSV or JSON (to ship with an application)");
  cacheExport->add_option("--kernel", cache.kernel, "Only this kernel");
  cacheExport->add_option("-o,--output", cache.output,
                          "The file (default: standard output)");
  cacheExport->add_option("--format", cache.format,
                          "csv or json (default: by the file name, else csv)");
  CLI::App *cacheImport = cacheCommand->add_subcommand(
      "import", "Add rows from an export; all or nothing");
  cacheImport->add_option("file", cache.input, "A .csv or .json export")
      ->required();
  cacheImport->add_option("--format", cache.format,
                          "csv or json (default: by the file name)");
  CLI::App *cachePrune = cacheCommand->add_subcommand(
      "prune", "Delete the rows of other compiler versions");
  cachePrune->add_option("--keep", cache.keep,
                         "The compiler version to keep (default: this "
                         "kdslc's, 'kdslc " KDSL_VERSION "')");
  CLI::App *cacheReport = cacheCommand->add_subcommand(
      "report", "Write a self-contained HTML page of one kernel's results");
  cacheReport->add_option("kernel", cache.kernel, "The kernel")->required();
  cacheReport->add_option("-o,--output", cache.output,
                          "The page (default: standard output)");
  for (CLI::App *command : {cacheList, cacheShow, cacheExport, cacheImport,
                            cachePrune, cacheReport})
    addDb(command);

  app.add_option("file", options.input, "The .kdsl file to compile");
  app.add_option(
         "--emit", options.emit,
         "Stop after this stage: ast (the checked AST), kdsl (the "
         "kdsl dialect; a variant when --config is given), kdsl-layouts "
         "(the variant with a layout encoding on every block), kdsl-gpu "
         "(per-thread code in gpu.func), llvm (the LLVM and NVVM "
         "dialects), ptx, cubin (ptxas), kpack (every variant of "
         "every kernel, PTX and cubins for sm_80 and sm_90a, in one "
         "bundle), or c-header (the bundle embedded in a C header "
         "with a typed launch function per kernel)")
      ->check(CLI::IsMember({"ast", "kdsl", "kdsl-layouts", "kdsl-gpu", "llvm",
                             "ptx", "cubin", "kpack", "c-header"}))
      ->capture_default_str();
  app.add_option("--arch", options.arch,
                 "The GPU to compile for (kdsl-gpu, llvm, ptx, cubin)")
      ->check(CLI::IsMember({"sm_80", "sm_90a"}))
      ->capture_default_str();
  app.add_option("--specialize", options.specialize,
                 "div16: assume 16-byte aligned pointers, and strides and "
                 "mask bounds divisible by 16; unit: div16, but the strides "
                 "of a last dimension (cols[None, :] * s) are 1; align16: "
                 "pointers and strides only; none: assume nothing (the "
                 "bundle holds each that assumes more than the one before, "
                 "and the runtime launches the most specialized that the "
                 "arguments allow)")
      ->check(CLI::IsMember({"unit", "div16", "align16", "none"}))
      ->capture_default_str();
  app.add_option("-o,--output", options.output,
                 "Write the result here (default: standard output)");
  app.add_option("--kernel", options.kernel, "Only this kernel");
  app.add_flag("--timing", options.timing,
               "Print the time of each stage and pass to standard error "
               "(MLIR's timing report)");
  app.add_flag("--remarks", options.remarks,
               "Say how the variant was lowered, as remarks at its source "
               "lines on standard error: each load's and store's access "
               "width and what kept it narrower, each reduction's shuffles "
               "and barriers, each round trip through shared memory, and "
               "(with --emit=cubin) ptxas's registers and spills");
  app.add_option("--config", options.config,
                 "Specialize for this config: NAME=VALUE,... over constexprs, "
                 "num_warps, num_stages and the scalar parameters defaults "
                 "read; with --emit=kpack a value may list alternatives, "
                 "BLOCK=1024|4096, each compiled");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    llvm::errs() << "kdslc: error: " << e.what() << "\n"
                 << "Run 'kdslc --help' for the options.\n";
    return 1;
  }
  if (runCommand->parsed())
    return kdsl::runKernel(run);
  if (tuneCommand->parsed())
    return kdsl::runTuneCommand(tuneInput, tuneBundle, tune);
  if (cacheCommand->parsed()) {
    cache.compilerVersion = "kdslc " KDSL_VERSION;
    for (CLI::App *command : cacheCommand->get_subcommands())
      cache.action = command->get_name();
    return kdsl::cacheCommand(cache);
  }
  if (options.input.empty()) {
    llvm::errs() << "kdslc: error: no input file\n"
                 << "Run 'kdslc --help' for the options.\n";
    return 1;
  }
  return compile(options);
}
