//===- kdsl-npy.cpp - Make and print .npy files ---------------------------===//
//
// kdsl-npy make OUT.npy --dtype f32 --shape 7,100
//          [--range START,STEP | --fill VALUE | --random SEED [--low L --high
//          H]]
// kdsl-npy show FILE.npy [--limit N]
//
// bf16 arrays are `<u2` (u16) files holding the bf16 bits; `make --dtype
// bf16` rounds each value to bf16 and `show --bf16` decodes them.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Npy.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

using namespace kdsl;

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "kdsl-npy: error: %s\n", message.c_str());
  return 1;
}

bool parseDType(const std::string &name, NpyDType &dtype, bool &bf16) {
  bf16 = name == "bf16";
  static const std::pair<const char *, NpyDType> names[] = {
      {"bool", NpyDType::Bool}, {"i8", NpyDType::I8},   {"i16", NpyDType::I16},
      {"i32", NpyDType::I32},   {"i64", NpyDType::I64}, {"f16", NpyDType::F16},
      {"f32", NpyDType::F32},   {"f64", NpyDType::F64}, {"u16", NpyDType::U16},
      {"bf16", NpyDType::U16}};
  for (auto &[text, value] : names)
    if (name == text) {
      dtype = value;
      return true;
    }
  return false;
}

uint16_t toBF16(double v) {
  float f = static_cast<float>(v);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return 0x7FC0;
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

double fromBF16(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

void store(NpyArray &array, bool bf16, int64_t i, double v) {
  uint8_t *p = array.data.data() + i * npyItemSize(array.dtype);
  auto put = [&](auto x) { std::memcpy(p, &x, sizeof(x)); };
  switch (array.dtype) {
  case NpyDType::Bool:
    put(uint8_t(v != 0));
    break;
  case NpyDType::I8:
    put(int8_t(int64_t(v)));
    break;
  case NpyDType::I16:
    put(int16_t(int64_t(v)));
    break;
  case NpyDType::I32:
    put(int32_t(int64_t(v)));
    break;
  case NpyDType::I64:
    put(int64_t(v));
    break;
  case NpyDType::F16:
    put(static_cast<_Float16>(v));
    break;
  case NpyDType::F32:
    put(static_cast<float>(v));
    break;
  case NpyDType::F64:
    put(v);
    break;
  case NpyDType::U16:
    put(bf16 ? toBF16(v) : uint16_t(int64_t(v)));
    break;
  }
}

/// The integer range of an integer `dtype` (bool: 0 to 1); nullopt for a
/// float type (bf16 included).
std::optional<std::pair<int64_t, int64_t>> integerRange(NpyDType dtype,
                                                        bool bf16) {
  switch (dtype) {
  case NpyDType::Bool:
    return std::make_pair(int64_t(0), int64_t(1));
  case NpyDType::I8:
    return std::make_pair(int64_t(INT8_MIN), int64_t(INT8_MAX));
  case NpyDType::I16:
    return std::make_pair(int64_t(INT16_MIN), int64_t(INT16_MAX));
  case NpyDType::I32:
    return std::make_pair(int64_t(INT32_MIN), int64_t(INT32_MAX));
  case NpyDType::I64:
    return std::make_pair(INT64_MIN, INT64_MAX);
  case NpyDType::U16:
    if (!bf16)
      return std::make_pair(int64_t(0), int64_t(UINT16_MAX));
    return std::nullopt;
  default:
    return std::nullopt;
  }
}

/// Why the value `text` (`v` once parsed) cannot be stored in `dtype`: an
/// integer type takes whole numbers in its range, a float type any value
/// that does not round to inf (inf itself when asked for). Empty when it can.
std::string unfit(const std::string &text, double v, NpyDType dtype,
                  bool bf16) {
  std::string name = bf16 ? "bf16" : npyDTypeName(dtype);
  if (auto range = integerRange(dtype, bf16)) {
    auto [lo, hi] = *range;
    std::string bounds =
        " (" + std::to_string(lo) + " to " + std::to_string(hi) + ")";
    // Exactly, as an integer, where the text is one (i64 needs all 64 bits).
    errno = 0;
    char *end = nullptr;
    long long exact = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0')
      return errno == ERANGE || exact < lo || exact > hi
                 ? text + " is out of range for " + name + bounds
                 : "";
    if (!std::isfinite(v) || v != std::trunc(v))
      return text + " is not a whole number, as " + name + " needs";
    // 2^63 is the first double above INT64_MAX.
    if (v < static_cast<double>(lo) || v >= 9223372036854775808.0 ||
        v > static_cast<double>(hi))
      return text + " is out of range for " + name + bounds;
    return "";
  }
  // A float type: what rounds to inf is out of range. Its largest finite
  // value plus half an ulp there.
  double max = dtype == NpyDType::F16 ? 65504.0
               : bf16                 ? fromBF16(0x7F7F)
               : dtype == NpyDType::F32
                   ? static_cast<double>(std::numeric_limits<float>::max())
                   : std::numeric_limits<double>::max();
  double halfUlp = dtype == NpyDType::F16   ? 16.0
                   : bf16                   ? std::ldexp(1.0, 127 - 8)
                   : dtype == NpyDType::F32 ? std::ldexp(1.0, 127 - 24)
                                            : 0;
  if (std::isfinite(v) && dtype != NpyDType::F64 &&
      std::fabs(v) >= max + halfUlp) {
    char largest[32];
    std::snprintf(largest, sizeof(largest), "%g", max);
    return text + " is out of range for " + name +
           " (its largest finite value is " + largest + ")";
  }
  return "";
}

/// `v` as a message shows a computed value.
std::string shown(double v) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.17g", v);
  return text;
}

double load(const NpyArray &array, bool bf16, int64_t i) {
  const uint8_t *p = array.data.data() + i * npyItemSize(array.dtype);
  auto get = [&](auto x) {
    std::memcpy(&x, p, sizeof(x));
    return x;
  };
  switch (array.dtype) {
  case NpyDType::Bool:
    return get(uint8_t());
  case NpyDType::I8:
    return get(int8_t());
  case NpyDType::I16:
    return get(int16_t());
  case NpyDType::I32:
    return get(int32_t());
  case NpyDType::I64:
    return double(get(int64_t()));
  case NpyDType::F16:
    return double(get(_Float16()));
  case NpyDType::F32:
    return get(float());
  case NpyDType::F64:
    return get(double());
  case NpyDType::U16:
    return bf16 ? fromBF16(get(uint16_t())) : get(uint16_t());
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"kdsl-npy: make and print .npy files"};
  app.require_subcommand(1);

  std::string out, dtypeName = "f32", shapeText, range, fill;
  std::optional<unsigned> seed;
  double low = -1, high = 1;
  CLI::App *make = app.add_subcommand("make", "Write a new .npy file");
  make->add_option("out", out, "The file to write")->required();
  make->add_option("--dtype", dtypeName,
                   "bool i8 i16 i32 i64 f16 bf16 f32 f64 u16")
      ->capture_default_str();
  make->add_option("--shape", shapeText, "D0[,D1,...] (empty: a 0-d array)");
  make->add_option("--range", range, "START[,STEP]: START, START+STEP, ...");
  make->add_option("--fill", fill, "Every element is VALUE (nan, inf too)");
  make->add_option("--random", seed, "Uniform in [--low, --high] from SEED");
  make->add_option("--low", low)->capture_default_str();
  make->add_option("--high", high)->capture_default_str();

  std::string in;
  int64_t limit = -1;
  bool showBF16 = false;
  CLI::App *show = app.add_subcommand("show", "Print a .npy file");
  show->add_option("file", in, "The file to read")->required();
  show->add_option("--limit", limit, "Print at most N values");
  show->add_flag("--bf16", showBF16, "Decode a u16 array as bf16 bits");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    return fail(e.what());
  }

  if (show->parsed()) {
    NpyArray array;
    std::string error;
    if (!readNpy(in, array, error))
      return fail(error);
    std::printf("%s (", showBF16 ? "bf16" : npyDTypeName(array.dtype));
    for (size_t d = 0; d < array.shape.size(); ++d)
      std::printf("%s%lld", d ? ", " : "", (long long)array.shape[d]);
    std::printf(")\n");
    int64_t n = array.numElements();
    if (limit >= 0 && limit < n)
      n = limit;
    // Integers exactly (an i64 past 2^53 included), floats to 9 digits.
    bool integral = integerRange(array.dtype, showBF16).has_value();
    for (int64_t i = 0; i < n; ++i) {
      const char *sep = (i + 1) % 8 == 0 || i + 1 == n ? "\n" : " ";
      if (array.dtype == NpyDType::I64) {
        int64_t v;
        std::memcpy(&v, array.data.data() + i * 8, 8);
        std::printf("%lld%s", static_cast<long long>(v), sep);
      } else if (integral) {
        std::printf("%lld%s", static_cast<long long>(load(array, false, i)),
                    sep);
      } else {
        std::printf("%.9g%s", load(array, showBF16, i), sep);
      }
    }
    return 0;
  }

  NpyArray array;
  bool bf16;
  if (!parseDType(dtypeName, array.dtype, bf16))
    return fail("unknown --dtype '" + dtypeName + "'");
  if (!shapeText.empty()) {
    size_t pos = 0;
    while (pos <= shapeText.size()) {
      size_t comma = shapeText.find(',', pos);
      std::string dim = shapeText.substr(pos, comma - pos);
      char *end = nullptr;
      long long value = std::strtoll(dim.c_str(), &end, 10);
      if (dim.empty() || *end || value < 0)
        return fail("--shape '" + shapeText +
                    "' must be non-negative integers separated by commas");
      array.shape.push_back(value);
      if (comma == std::string::npos)
        break;
      pos = comma + 1;
    }
  }
  int64_t n = array.numElements();
  if (n < 0 || n > (int64_t(1) << 32))
    return fail("--shape '" + shapeText + "' is too large");
  array.data.resize(n * npyItemSize(array.dtype));
  double start = 0, step = 1, value = 0;
  if (!range.empty() &&
      std::sscanf(range.c_str(), "%lf,%lf", &start, &step) < 1)
    return fail("--range '" + range + "' must be START[,STEP]");
  if (!fill.empty()) {
    char *end = nullptr;
    value = std::strtod(fill.c_str(), &end);
    if (*end)
      return fail("--fill '" + fill + "' is not a number");
  }
  // Values that would wrap, round to inf or lose their fraction are errors,
  // not silently different numbers. A range is checked at both ends, random
  // bounds as given (integers take whole values between them).
  std::vector<std::tuple<std::string, std::string, double>> given;
  if (seed)
    given = {{"--low", shown(low), low}, {"--high", shown(high), high}};
  else if (!fill.empty())
    given = {{"--fill", fill, value}};
  else if (n > 0) {
    double last = start + step * static_cast<double>(n - 1);
    given = {{"--range start", shown(start), start},
             {"--range end", shown(last), last}};
  }
  std::optional<std::pair<int64_t, int64_t>> integral =
      integerRange(array.dtype, bf16);
  for (auto &[what, text, v] : given) {
    if (seed && integral && std::isfinite(v))
      v = std::trunc(v), text = shown(v);
    if (std::string why = unfit(text, v, array.dtype, bf16); !why.empty())
      return fail(what + ": " + why);
  }
  // An integer fill is stored exactly (i64 beyond 2^53 included).
  std::optional<int64_t> exactFill;
  if (integral && !fill.empty()) {
    char *end = nullptr;
    long long exact = std::strtoll(fill.c_str(), &end, 10);
    exactFill = *end == '\0' ? exact : static_cast<int64_t>(value);
  }
  std::mt19937 gen(seed.value_or(0));
  std::uniform_real_distribution<double> dist(low, high);
  for (int64_t i = 0; i < n; ++i) {
    double v = seed ? dist(gen) : !fill.empty() ? value : start + step * i;
    if (exactFill && array.dtype == NpyDType::I64)
      std::memcpy(array.data.data() + i * 8, &*exactFill, 8);
    else
      store(array, bf16, i, v);
  }
  std::string error;
  if (!writeNpy(out, array, error))
    return fail(error);
  return 0;
}
