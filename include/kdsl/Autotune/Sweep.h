//===- Sweep.h - Time a kernel's configs and pick the winner ----*- C++ -*-===//
//
// Part of the kdsl project.
//
// The decisions of the autotuner, apart from the device: which configs to
// time, which to prune on an early estimate, when a measurement is too noisy
// to keep, which to re-time in isolation, and which one wins. Plain C++ (no
// LLVM, no CUDA): the runtime times on the GPU through a Measurer, the tests
// through a fake one.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_AUTOTUNE_SWEEP_H
#define KDSL_AUTOTUNE_SWEEP_H

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kdsl::tune {

/// Statistics of one measurement, in microseconds per run.
struct Timing {
  double medianUs = 0, p20Us = 0, p80Us = 0;
  int reps = 0;
  /// p80 / p20: how noisy the repetitions were (1 is perfectly steady).
  double spread() const { return p20Us > 0 ? p80Us / p20Us : 1.0; }
};

/// Median, 20th and 80th percentiles (nearest rank) of `samplesUs`.
Timing summarize(std::vector<double> samplesUs);

/// Times one candidate; the runtime's implementation launches it on the GPU
/// with the L2 cache flushed between repetitions.
class Measurer {
public:
  virtual ~Measurer() = default;
  /// Times candidate `index` for about `budgetMs` of repetitions. Throws
  /// (any std::exception) when the candidate cannot run; its message becomes
  /// the candidate's reason.
  virtual Timing measure(size_t index, double budgetMs) = 0;
};

struct SweepOptions {
  /// Repetitions per candidate, by time.
  double budgetMs = 100;
  /// Drop a candidate whose early estimate (estimateBudgetMs of
  /// repetitions) is more than pruneFactor times the best median so far.
  bool prune = true;
  double pruneFactor = 3.0;
  double estimateBudgetMs = 10;
  /// A measurement whose p80/p20 exceeds this is repeated, up to
  /// maxRepeats more times; the steadiest one is kept.
  double maxSpread = 1.2;
  int maxRepeats = 2;
  /// The best this many are timed again, one after another, before a winner
  /// is declared.
  size_t revalidateTop = 3;
};

enum class Outcome { Ok, Invalid, Pruned };
/// `ok`, `invalid`, `pruned`.
const char *outcomeName(Outcome outcome);

struct CandidateResult {
  size_t index = 0;
  Outcome outcome = Outcome::Ok;
  /// Why a candidate is invalid or pruned.
  std::string reason;
  Timing timing;
  /// Timed again in isolation at the end of the sweep.
  bool revalidated = false;
  /// Measurements repeated for noise.
  int repeats = 0;
};

struct SweepResult {
  /// One per candidate, in candidate order.
  std::vector<CandidateResult> results;
  /// The candidate with the lowest median after re-validation.
  std::optional<size_t> winner;
  size_t pruned = 0, invalid = 0;
};

/// Sweeps `candidates` candidates; `invalidReasons[i]` non-empty marks
/// candidate i invalid before timing (it failed to compile, exceeds the
/// device). `onResult` sees each result as soon as it is final (and again
/// when re-validation changes it), so a caller can store it before the next
/// candidate runs; `progress` sees (done, total).
SweepResult sweep(const std::vector<std::string> &invalidReasons,
                  Measurer &measurer, const SweepOptions &options,
                  const std::function<void(const CandidateResult &)> &onResult,
                  const std::function<void(size_t, size_t)> &progress = {});

/// The key bucket of a launch value: the next power of two at or above it
/// (values below 1 stay as they are), or the value itself when `exact`.
long long bucketKeyValue(long long value, bool exact);

} // namespace kdsl::tune

#endif // KDSL_AUTOTUNE_SWEEP_H
