//===- kdsl-npy.cpp - Make and print .npy files ---------------------------===//
//
// kdsl-npy make OUT.npy --dtype f32 --shape 7,100
//          [--range START,STEP | --fill VALUE | --random SEED [--low L --high
//          H]]
// kdsl-npy show FILE.npy [--limit N]
// kdsl-npy compare EXPECTED.npy ACTUAL.npy [--rtol R] [--atol A] [--bf16]
//
// bf16 arrays are `<u2` (u16) files holding the bf16 bits; `make --dtype
// bf16` rounds each value to bf16 and `show --bf16` decodes them.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Files.h"
#include "kdsl/Support/Npy.h"
#include "kdsl/Support/ScalarText.h"

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

/// `v` as a message shows a setting: 1e-05.
std::string brief(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", v);
  return text;
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

/// Element `i` as text: integers exactly (an i64 beyond 2^53 included).
std::string valueText(const NpyArray &array, bool bf16, int64_t i) {
  if (array.dtype != NpyDType::I64)
    return shown(load(array, bf16, i));
  int64_t v;
  std::memcpy(&v, array.data.data() + i * 8, 8);
  return std::to_string(v);
}

/// A shape or an index as NumPy prints it: "(2, 17)".
std::string tupleText(const std::vector<int64_t> &values) {
  std::string text = "(";
  for (size_t d = 0; d < values.size(); ++d)
    text += (d ? ", " : "") + std::to_string(values[d]);
  return text + (values.size() == 1 ? ",)" : ")");
}

/// The C-order index of element `i` of `shape`.
std::vector<int64_t> indexOf(const std::vector<int64_t> &shape, int64_t i) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = i % shape[d];
    i /= shape[d];
  }
  return index;
}

/// kdsl-npy compare: numpy.testing.assert_allclose's rule (|actual -
/// expected| <= atol + rtol |expected|, NaN equal to NaN, infinities equal
/// only to themselves) for floats; integers and bools exactly.
int compare(const std::string &expectedPath, const std::string &actualPath,
            double rtol, double atol, bool bf16) {
  NpyArray expected, actual;
  std::string error;
  if (!readNpy(expectedPath, expected, error) ||
      !readNpy(actualPath, actual, error))
    return fail(error);
  if (expected.dtype != actual.dtype)
    return fail(actualPath + " holds " + npyDTypeName(actual.dtype) + ", " +
                expectedPath + " " + npyDTypeName(expected.dtype));
  if (expected.shape != actual.shape)
    return fail(actualPath + " has shape " + tupleText(actual.shape) + ", " +
                expectedPath + " " + tupleText(expected.shape));
  bool integral = integerRange(expected.dtype, bf16).has_value();
  int64_t n = expected.numElements(), differ = 0, first = -1;
  double worstAbs = 0, worstRel = 0;
  size_t size = npyItemSize(expected.dtype);
  for (int64_t i = 0; i < n; ++i) {
    bool same;
    if (integral) {
      // Bytes, so that an i64 beyond 2^53 compares exactly.
      same = !std::memcmp(expected.data.data() + i * size,
                          actual.data.data() + i * size, size);
    } else {
      double want = load(expected, bf16, i), got = load(actual, bf16, i);
      if (std::isnan(want) || std::isnan(got) || std::isinf(want) ||
          std::isinf(got)) {
        same = (std::isnan(want) && std::isnan(got)) || want == got;
      } else {
        double diff = std::fabs(got - want);
        same = diff <= atol + rtol * std::fabs(want);
        worstAbs = std::max(worstAbs, diff);
        if (want != 0)
          worstRel = std::max(worstRel, diff / std::fabs(want));
      }
    }
    if (!same && differ++ == 0)
      first = i;
  }
  if (differ) {
    std::string at = tupleText(indexOf(expected.shape, first));
    return fail(std::to_string(differ) + " of " + std::to_string(n) +
                " elements differ (rtol " + brief(rtol) + ", atol " +
                brief(atol) + "); the first at " + at + ": expected " +
                valueText(expected, bf16, first) + ", got " +
                valueText(actual, bf16, first));
  }
  std::printf("%lld elements match", static_cast<long long>(n));
  if (!integral)
    std::printf(" (largest difference %.3g, relative %.3g)", worstAbs,
                worstRel);
  std::printf("\n");
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

  std::string expectedPath, actualPath;
  double rtol = 1e-5, atol = 1e-8;
  bool compareBF16 = false;
  CLI::App *compareCommand = app.add_subcommand(
      "compare", "Exit 1 unless two arrays match: floats within atol + rtol "
                 "|expected| (NaN matches NaN), integers exactly");
  compareCommand->add_option("expected", expectedPath)->required();
  compareCommand->add_option("actual", actualPath)->required();
  compareCommand->add_option("--rtol", rtol)->capture_default_str();
  compareCommand->add_option("--atol", atol)->capture_default_str();
  compareCommand->add_flag("--bf16", compareBF16,
                           "Compare u16 arrays as bf16 values");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    return fail(e.what());
  }

  if (compareCommand->parsed())
    return compare(expectedPath, actualPath, rtol, atol, compareBF16);

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
  // No larger than the tools read back, and the output checked before the
  // data is made.
  int64_t n = array.numElements();
  if (n < 0 ||
      static_cast<uint64_t>(n) > kMaxArrayInputBytes / npyItemSize(array.dtype))
    return fail("--shape '" + shapeText + "' holds more than " +
                std::to_string(kMaxArrayInputBytes >> 30) +
                " GiB, the most a .npy file may hold");
  std::string error;
  if (!checkOutputPath(out, error))
    return fail(error);
  array.data.resize(n * npyItemSize(array.dtype));
  double start = 0, step = 1, value = 0;
  if (!range.empty() &&
      std::sscanf(range.c_str(), "%lf,%lf", &start, &step) < 1)
    return fail("--range '" + range + "' must be START[,STEP]");
  // Values that would wrap, round to inf or lose their fraction are errors,
  // not silently different numbers (kdsl/Support/ScalarText.h, as kdslc
  // run's arguments). A range is checked at both ends, random bounds as
  // given (integers take whole values between them).
  std::string type = bf16 ? "bf16" : npyDTypeName(array.dtype);
  std::optional<std::pair<int64_t, int64_t>> integral =
      integerRange(array.dtype, bf16);
  ScalarValue filled;
  if (!fill.empty()) {
    if (std::string why = parseScalarText(fill, type, filled); !why.empty())
      return fail("--fill: " + why);
    value = filled.isFloat ? filled.real : static_cast<double>(filled.integer);
  }
  // An integer range steps by whole numbers from a whole start: checking its
  // ends then checks every value.
  if (integral && fill.empty() && !seed && n > 1 &&
      (start != std::trunc(start) || step != std::trunc(step)))
    return fail("--range '" + range + "': " + type +
                " takes whole numbers, so START and STEP must be whole");
  std::vector<std::pair<std::string, double>> ends;
  if (seed)
    ends = {{"--low", low}, {"--high", high}};
  else if (fill.empty() && n > 0)
    ends = {{"--range start", start},
            {"--range end", start + step * static_cast<double>(n - 1)}};
  for (auto [what, v] : ends) {
    if (seed && integral && std::isfinite(v))
      v = std::trunc(v);
    if (std::string why = checkScalarValue(v, shown(v), type); !why.empty())
      return fail(what + ": " + why);
  }
  std::mt19937 gen(seed.value_or(0));
  std::uniform_real_distribution<double> dist(low, high);
  for (int64_t i = 0; i < n; ++i) {
    double v = seed ? dist(gen) : !fill.empty() ? value : start + step * i;
    // An integer fill is stored exactly (i64 beyond 2^53 included).
    if (!fill.empty() && array.dtype == NpyDType::I64)
      std::memcpy(array.data.data() + i * 8, &filled.integer, 8);
    else
      store(array, bf16, i, v);
  }
  if (!writeNpy(out, array, error))
    return fail(error);
  return 0;
}
