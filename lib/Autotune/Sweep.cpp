//===- Sweep.cpp - Time a kernel's configs and pick the winner ------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Autotune/Sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace kdsl::tune {

Timing summarize(std::vector<double> samples) {
  Timing t;
  if (samples.empty())
    return t;
  std::sort(samples.begin(), samples.end());
  auto rank = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * samples.size()));
    return samples[std::min(samples.size(), std::max<size_t>(i, 1)) - 1];
  };
  t.medianUs = rank(0.5);
  t.p20Us = rank(0.2);
  t.p80Us = rank(0.8);
  t.reps = static_cast<int>(samples.size());
  return t;
}

const char *outcomeName(Outcome outcome) {
  switch (outcome) {
  case Outcome::Ok:
    return "ok";
  case Outcome::Invalid:
    return "invalid";
  case Outcome::Pruned:
    return "pruned";
  }
  return "?";
}

long long bucketKeyValue(long long value, bool exact) {
  if (exact || value <= 1 || value > (1LL << 62))
    return value; // beyond the largest power of two: its own bucket
  long long bucket = 1;
  while (bucket < value)
    bucket <<= 1;
  return bucket;
}

namespace {

/// Measures `index`, repeating while the spread is too wide; keeps the
/// steadiest measurement.
Timing measureSteadily(Measurer &measurer, size_t index,
                       const SweepOptions &options, int &repeats) {
  Timing best = measurer.measure(index, options.budgetMs);
  repeats = 0;
  while (best.spread() > options.maxSpread && repeats < options.maxRepeats) {
    Timing again = measurer.measure(index, options.budgetMs);
    ++repeats;
    if (again.spread() < best.spread())
      best = again;
  }
  return best;
}

} // namespace

SweepResult sweep(const std::vector<std::string> &invalidReasons,
                  Measurer &measurer, const SweepOptions &options,
                  const std::function<void(const CandidateResult &)> &onResult,
                  const std::function<void(size_t, size_t)> &progress) {
  SweepResult sweep;
  size_t total = invalidReasons.size();
  std::optional<double> best;
  for (size_t i = 0; i < total; ++i) {
    CandidateResult r;
    r.index = i;
    if (!invalidReasons[i].empty()) {
      r.outcome = Outcome::Invalid;
      r.reason = invalidReasons[i];
    } else {
      try {
        if (options.prune && best) {
          Timing estimate = measurer.measure(i, options.estimateBudgetMs);
          if (estimate.medianUs > options.pruneFactor * *best) {
            r.outcome = Outcome::Pruned;
            r.timing = estimate;
            char text[96];
            std::snprintf(text, sizeof(text),
                          "early estimate %.1f us > %.1f x best %.1f us",
                          estimate.medianUs, options.pruneFactor, *best);
            r.reason = text;
          }
        }
        if (r.outcome == Outcome::Ok) {
          r.timing = measureSteadily(measurer, i, options, r.repeats);
          best = best ? std::min(*best, r.timing.medianUs) : r.timing.medianUs;
        }
      } catch (const std::exception &e) {
        r.outcome = Outcome::Invalid;
        r.reason = e.what();
      }
    }
    if (r.outcome == Outcome::Invalid)
      ++sweep.invalid;
    if (r.outcome == Outcome::Pruned)
      ++sweep.pruned;
    sweep.results.push_back(r);
    if (onResult)
      onResult(r);
    if (progress)
      progress(i + 1, total);
  }

  // The best few again, one after another, so that a lucky or disturbed
  // measurement during the sweep does not decide.
  std::vector<size_t> ok;
  for (const CandidateResult &r : sweep.results)
    if (r.outcome == Outcome::Ok)
      ok.push_back(r.index);
  std::sort(ok.begin(), ok.end(), [&](size_t a, size_t b) {
    double ta = sweep.results[a].timing.medianUs,
           tb = sweep.results[b].timing.medianUs;
    return ta < tb || (ta == tb && a < b);
  });
  if (ok.size() > options.revalidateTop)
    ok.resize(options.revalidateTop);
  if (ok.size() > 1) {
    for (size_t i : ok) {
      CandidateResult &r = sweep.results[i];
      try {
        r.timing = measureSteadily(measurer, i, options, r.repeats);
        r.revalidated = true;
      } catch (const std::exception &e) {
        r.outcome = Outcome::Invalid;
        r.reason = e.what();
        ++sweep.invalid;
      }
      if (onResult)
        onResult(r);
    }
  }
  // The winner survived a second look when there was one.
  bool revalidated =
      std::any_of(sweep.results.begin(), sweep.results.end(),
                  [](const CandidateResult &r) { return r.revalidated; });
  for (const CandidateResult &r : sweep.results)
    if (r.outcome == Outcome::Ok && (r.revalidated || !revalidated) &&
        (!sweep.winner ||
         r.timing.medianUs < sweep.results[*sweep.winner].timing.medianUs))
      sweep.winner = r.index;
  return sweep;
}

} // namespace kdsl::tune
