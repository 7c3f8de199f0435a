//===- kdsl-launch.cpp - Launch a bundle's kernel on .npy buffers ---------===//
//
// kdsl-launch BUNDLE.kpack --kernel NAME [--grid X,Y,Z] [--config K=V,...]
//             NAME=@IN.npy NAME=VALUE ... [--save NAME=OUT.npy ...]
// kdsl-launch BUNDLE.kpack --kernel NAME --tune [--db PATH] [--top N]
//             [--budget-ms MS] [--report OUT.html] NAME=f32:COUNT ...
//
// Needs only the runtime (no compiler): what an application does, from the
// command line. The GPU harness runs every example with it, and tunes
// bundles compiled elsewhere with --tune (as kdslc tune --bundle does).
//
//===----------------------------------------------------------------------===//

#include "Launch.h"
#include "Tune.h"

#include "kdsl/bundle.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

int main(int argc, char **argv) {
  CLI::App app{"kdsl-launch: run a kernel of a .kpack bundle on .npy buffers"};
  kdsl::LaunchRequest request;
  app.add_option("bundle", request.bundle, "The .kpack bundle")->required();
  app.add_option("--kernel", request.kernel, "The kernel")->required();
  app.add_option("--grid", request.grid, "X[,Y[,Z]] (default: grid(...))");
  app.add_option("--config", request.config,
                 "NAME=VALUE,... for constexprs, num_warps, num_stages");
  app.add_option("--save", request.saves,
                 "NAME=OUT.npy: write pointer NAME's buffer back");
  app.add_option("args", request.bindings,
                 "NAME=@FILE.npy for a pointer (with --tune also "
                 "NAME=DTYPE:COUNT, random), NAME=VALUE otherwise");
  bool tune = false;
  kdsl::TuneCommand tuning;
  tuning.tool = "kdsl-launch --tune";
  app.add_flag("--tune", tune,
               "Time every config of the kernel's @autotune space and store "
               "the results in the tuning cache instead of launching once");
  app.add_option("--db", tuning.db, "With --tune: the tuning cache");
  app.add_option("--top", tuning.top,
                 "With --tune: re-time the best N before declaring a winner")
      ->capture_default_str();
  app.add_option("--budget-ms", tuning.budgetMs,
                 "With --tune: repetitions per config, by time")
      ->capture_default_str();
  app.add_flag("--no-prune", tuning.noPrune,
               "With --tune: time every config fully");
  app.add_option("--report", tuning.report,
                 "With --tune: write a self-contained HTML page");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "kdsl-launch: error: %s\n", e.what());
    return 1;
  }
  if (!tune)
    return kdsl::launchFromBundle(request);
  tuning.kernel = request.kernel;
  tuning.bindings = request.bindings;
  try {
    kdsl::rt::BundleContents contents = kdsl::rt::readBundle(request.bundle);
    auto it = std::find_if(contents.kernels.begin(), contents.kernels.end(),
                           [&](const kdsl::rt::KernelInfo &k) {
                             return k.name == request.kernel;
                           });
    if (it == contents.kernels.end()) {
      std::fprintf(stderr, "%s: error: bundle '%s' has no kernel '%s'\n",
                   tuning.tool.c_str(), request.bundle.c_str(),
                   request.kernel.c_str());
      return 1;
    }
    return kdsl::tuneKernel(*it, tuning,
                            [&](const std::vector<std::string> &,
                                const std::string &,
                                auto &) { return request.bundle; });
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: error: %s\n", tuning.tool.c_str(), e.what());
    return 1;
  }
}
