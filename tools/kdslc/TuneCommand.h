//===- TuneCommand.h - kdslc tune -------------------------------*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_TUNECOMMAND_H
#define KDSL_TOOLS_KDSLC_TUNECOMMAND_H

#include "Tune.h"

#include <string>

namespace kdsl {

/// `kdslc tune`: the kernel of `input`, its variants from `bundle` or
/// compiled for the GPU at hand, tuned as `command` says.
int runTuneCommand(const std::string &input, const std::string &bundle,
                   const TuneCommand &command);

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_TUNECOMMAND_H
