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

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
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

/// Why `v` cannot be stored exactly enough in `dtype`: an integer type takes
/// whole numbers in its range (bool: 0 or 1), a float type any value its
/// range holds once rounded (inf and nan when asked for). Empty when it can.
std::string unfit(double v, NpyDType dtype, bool bf16) {
  auto name = [&] { return std::string(bf16 ? "bf16" : npyDTypeName(dtype)); };
  auto number = [&] {
    char text[64];
    std::snprintf(text, sizeof(text), "%.17g", v);
    return std::string(text);
  };
  double lo = 0, hi = 0;
  switch (dtype) {
  case NpyDType::Bool:
    lo = 0, hi = 1;
    break;
  case NpyDType::I8:
    lo = -128, hi = 127;
    break;
  case NpyDType::I16:
    lo = -32768, hi = 32767;
    break;
  case NpyDType::I32:
    lo = -2147483648.0, hi = 2147483647.0;
    break;
  case NpyDType::I64:
    lo = -9223372036854775808.0, hi = 9223372036854775807.0;
    break;
  case NpyDType::U16:
    if (!bf16) {
      lo = 0, hi = 65535;
      break;
    }
    [[fallthrough]];
  default: {
    // The largest finite value of each float type; beyond it (and below the
    // halfway point to the next power) a value rounds to inf.
    double max = dtype == NpyDType::F16   ? 65504.0
                 : dtype == NpyDType::F64 ? std::numeric_limits<double>::max()
                                          : std::numeric_limits<float>::max();
    if (bf16)
      max = fromBF16(0x7F7F);
    double ulp = dtype == NpyDType::F16   ? 32.0
                 : bf16                   ? std::ldexp(1.0, 127 - 7)
                 : dtype == NpyDType::F32 ? std::ldexp(1.0, 127 - 23)
                                          : 0;
    if (std::isfinite(v) && std::fabs(v) >= max + ulp / 2 &&
        !(dtype == NpyDType::F64))
      return number() + " is out of range for " + name() +
             " (the largest finite value is " +
             std::to_string(static_cast<long long>(max)) + ")";
    return "";
  }
  }
  if (!std::isfinite(v) || v != std::trunc(v))
    return number() + " is not a whole number, as " + name() + " needs";
  // 2^63 is the first double above INT64_MAX.
  if (v < lo || (dtype == NpyDType::I64 ? v >= 9223372036854775808.0 : v > hi))
    return number() + " is out of range for " + name() + " (" +
           std::to_string(static_cast<long long>(lo)) + " to " +
           (dtype == NpyDType::I64
                ? "9223372036854775807"
                : std::to_string(static_cast<long long>(hi))) +
           ")";
  return "";
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
    for (int64_t i = 0; i < n; ++i)
      std::printf("%.9g%s", load(array, showBF16, i),
                  (i + 1) % 8 == 0 || i + 1 == n ? "\n" : " ");
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
  // not silently different numbers. A range is checked at both ends.
  std::vector<std::pair<std::string, double>> ends;
  if (seed)
    ends = {{"--low", low}, {"--high", high}};
  else if (!fill.empty())
    ends = {{"--fill", value}};
  else if (n > 0)
    ends = {{"--range start", start},
            {"--range end", start + step * static_cast<double>(n - 1)}};
  bool integral = array.dtype != NpyDType::F16 &&
                  array.dtype != NpyDType::F32 &&
                  array.dtype != NpyDType::F64 && !bf16;
  for (const auto &[what, v] : ends)
    if (std::string why = unfit(v, array.dtype, bf16);
        !why.empty() && !(seed && integral && std::isfinite(v)))
      return fail(what + ": " + why);
  if (seed && integral)
    for (double bound : {low, high})
      if (std::string why = unfit(std::trunc(bound), array.dtype, bf16);
          !why.empty())
        return fail(std::string(bound == low ? "--low" : "--high") + ": " +
                    why);
  std::mt19937 gen(seed.value_or(0));
  std::uniform_real_distribution<double> dist(low, high);
  for (int64_t i = 0; i < n; ++i) {
    double v = seed ? dist(gen) : !fill.empty() ? value : start + step * i;
    store(array, bf16, i, v);
  }
  std::string error;
  if (!writeNpy(out, array, error))
    return fail(error);
  return 0;
}
