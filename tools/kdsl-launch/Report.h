//===- Report.h - Tuning results as a self-contained HTML page --*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_REPORT_H
#define KDSL_TOOLS_KDSLC_REPORT_H

#include "kdsl/tune_cache.hpp"

#include <string>
#include <vector>

namespace kdsl {

/// A page with, per (kernel, key, device), a bar per config (time per run;
/// the winner, pruned and invalid configs marked) and a table of every
/// figure. No scripts, no external files.
std::string renderTuneReport(const std::string &title,
                             const std::vector<rt::TuneRecord> &records);

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_REPORT_H
