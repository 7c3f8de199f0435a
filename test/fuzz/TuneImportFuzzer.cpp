//===- TuneImportFuzzer.cpp - libFuzzer target over tune-cache imports -----===//
//
// Arbitrary text as a CSV and as a JSON export, imported into an in-memory
// tuning cache: an import either throws rt::Error naming the line, entry and
// column, and stores nothing, or stores rows that export and import again
// to the same text (imports are exact). A crash, a sanitizer report, a
// partial import or a round trip that differs is a bug.
//
//===----------------------------------------------------------------------===//

#include "kdsl/tune_cache.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void importOnce(const std::string &text, bool json) {
  kdsl::rt::TuneCache cache = kdsl::rt::TuneCache::open(":memory:");
  kdsl::rt::TuneCache::ImportResult result;
  try {
    result = json ? cache.importJson(text) : cache.importCsv(text);
  } catch (const kdsl::rt::Error &error) {
    if (std::string(error.what()).empty() || !cache.rows().empty())
      std::abort(); // all or nothing, and a reason
    return;
  }
  if (cache.rows().size() != result.added || result.replaced != 0)
    std::abort();
  (void)cache.list();
  std::string csv = cache.exportCsv(), again;
  kdsl::rt::TuneCache copy = kdsl::rt::TuneCache::open(":memory:");
  try {
    copy.importCsv(csv);
    again = copy.exportCsv();
  } catch (const kdsl::rt::Error &) {
    std::abort(); // what was stored must import again
  }
  if (again != csv)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  importOnce(text, /*json=*/false);
  importOnce(text, /*json=*/true);
  return 0;
}
