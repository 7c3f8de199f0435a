//===- TuneCommand.cpp - kdslc tune: compile, then tune -------------------===//
//
// kdslc tune FILE.kdsl --kernel NAME NAME=VALUE|NAME=@X.npy|NAME=f32:N ...
//            [--db PATH] [--top N] [--report OUT.html] [--bundle X.kpack]
//
// The kernel's signature comes from the source; the variants from --bundle,
// or compiled in parallel for the GPU at hand (failures become invalid
// configs). The rest is tuneKernel (tools/kdsl-launch/Tune.h).
//
//===----------------------------------------------------------------------===//

#include "TuneCommand.h"

#include "Kpack.h"
#include "SourceFile.h"

#include "kdsl/Frontend/Compiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace kdsl;

int kdsl::runTuneCommand(const std::string &input, const std::string &bundle,
                         const TuneCommand &command) {
  auto fail = [&](const std::string &message) {
    llvm::errs() << command.tool << ": error: " << message << "\n";
    return 1;
  };
  SourceFile file;
  std::string error;
  if (!file.load(input, error))
    return fail(error);
  mlir::FailureOr<FrontendResult> result =
      runFrontend(file.text, input, file.context, /*emitIR=*/true);
  if (failed(result))
    return 1;
  mlir::ModuleOp module = *result->ir;
  KernelOp kernel = findKernel(module, command.kernel, input, error);
  if (!kernel)
    return fail(error);

  llvm::SmallString<128> temporary;
  int status = tuneKernel(
      describeKernel(kernel, ""), command,
      [&](const std::vector<std::string> &config, const std::string &arch,
          std::vector<std::pair<rt::ConfigEntries, std::string>> &failures)
          -> std::string {
        if (!bundle.empty())
          return bundle;
        if (llvm::sys::fs::createTemporaryFile("kdslc-tune", "kpack",
                                               temporary)) {
          fail("cannot create a temporary bundle");
          return "";
        }
        KpackOptions kpack;
        kpack.kernel = command.kernel;
        kpack.archs = {arch};
        kpack.failures = &failures;
        // The integer arguments are among `config` (NAME=VALUE, for the
        // defaults that read them): only the variants they launch.
        kpack.launchIntegers.emplace();
        for (const std::string &entry : config) {
          auto [name, value] = llvm::StringRef(entry).split('=');
          int64_t v;
          if (!value.getAsInteger(10, v))
            (*kpack.launchIntegers)[name.str()] = v;
        }
        if (emitKpack(module, input, config, temporary, kpack))
          return "";
        return temporary.str().str();
      });
  if (!temporary.empty())
    llvm::sys::fs::remove(temporary);
  return status;
}
