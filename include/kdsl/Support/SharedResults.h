//===- SharedResults.h - Each result once, across threads ---*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_SHAREDRESULTS_H
#define KDSL_SUPPORT_SHAREDRESULTS_H

#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>

namespace kdsl {

/// Results of an expensive, deterministic computation keyed by its whole
/// input, shared by the threads of one process: the first to ask for a key
/// computes it, the others wait for that result instead of computing it
/// again (kdslc --emit=kpack: configs that lower to the same code).
template <typename T> class SharedResults {
public:
  T get(const std::string &key, const std::function<T()> &compute) {
    std::promise<T> promise;
    std::shared_future<T> result;
    bool mine = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto [it, inserted] = results.try_emplace(key);
      if (inserted)
        it->second = promise.get_future().share();
      result = it->second;
      mine = inserted;
    }
    if (mine)
      promise.set_value(compute());
    return result.get();
  }

private:
  std::mutex mutex;
  std::map<std::string, std::shared_future<T>> results;
};

} // namespace kdsl

#endif // KDSL_SUPPORT_SHAREDRESULTS_H
