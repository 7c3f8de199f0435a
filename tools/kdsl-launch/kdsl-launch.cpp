//===- kdsl-launch.cpp - Launch a bundle's kernel on .npy buffers ---------===//
//
// kdsl-launch BUNDLE.kpack --kernel NAME [--grid X,Y,Z] [--config K=V,...]
//             NAME=@IN.npy NAME=VALUE ... [--save NAME=OUT.npy ...]
//
// Needs only the runtime (no compiler): what an application does, from the
// command line. The GPU harness runs every example with it.
//
//===----------------------------------------------------------------------===//

#include "Launch.h"

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
                 "NAME=@FILE.npy for a pointer, NAME=VALUE otherwise");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "kdsl-launch: error: %s\n", e.what());
    return 1;
  }
  return kdsl::launchFromBundle(request);
}
