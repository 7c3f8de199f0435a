//===- ScalarText.cpp - Scalars written on a command line -----------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/ScalarText.h"

#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

using namespace kdsl;

namespace {

/// The range of an integer type (bool: 0 to 1); nullopt for a float type.
std::optional<std::pair<int64_t, int64_t>> integerRange(const std::string &t) {
  if (t == "bool")
    return std::make_pair(int64_t(0), int64_t(1));
  if (t == "i8")
    return std::make_pair(int64_t(INT8_MIN), int64_t(INT8_MAX));
  if (t == "i16")
    return std::make_pair(int64_t(INT16_MIN), int64_t(INT16_MAX));
  if (t == "i32")
    return std::make_pair(int64_t(INT32_MIN), int64_t(INT32_MAX));
  if (t == "i64")
    return std::make_pair(INT64_MIN, INT64_MAX);
  if (t == "u16")
    return std::make_pair(int64_t(0), int64_t(UINT16_MAX));
  return std::nullopt;
}

/// A float type's largest finite value and half an ulp there: a value at
/// or past their sum rounds to inf.
std::pair<double, double> floatLimit(const std::string &t) {
  if (t == "f16")
    return {65504.0, 16.0};
  if (t == "bf16")
    return {3.3895313892515355e38, std::ldexp(1.0, 119)};
  if (t == "f32")
    return {FLT_MAX, std::ldexp(1.0, 103)};
  return {DBL_MAX, 0};
}

std::string rangeText(std::pair<int64_t, int64_t> range) {
  return " (" + std::to_string(range.first) + " to " +
         std::to_string(range.second) + ")";
}

} // namespace

std::string kdsl::checkScalarValue(double v, const std::string &shown,
                                   const std::string &type) {
  if (auto range = integerRange(type)) {
    if (!std::isfinite(v) || v != std::trunc(v))
      return shown + " is not a whole number, as " + type + " needs";
    // 2^63 is the first double above INT64_MAX.
    if (v < static_cast<double>(range->first) || v >= 9223372036854775808.0 ||
        v > static_cast<double>(range->second))
      return shown + " is out of range for " + type + rangeText(*range);
    return "";
  }
  auto [largest, halfUlp] = floatLimit(type);
  if (std::isfinite(v) && halfUlp > 0 && std::fabs(v) >= largest + halfUlp) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", largest);
    return shown + " is out of range for " + type +
           " (its largest finite value is " + text + ")";
  }
  return "";
}

std::string kdsl::parseScalarText(const std::string &text,
                                  const std::string &type, ScalarValue &value) {
  std::optional<std::pair<int64_t, int64_t>> range = integerRange(type);
  value.isFloat = !range;
  if (type == "bool" && (text == "true" || text == "false")) {
    value.integer = text == "true";
    return "";
  }
  if (text.empty())
    return "'' is not a number";
  // Exactly, as an integer, where the text is one (i64 needs all 64 bits).
  char *end = nullptr;
  if (range) {
    errno = 0;
    long long exact = std::strtoll(text.c_str(), &end, 0);
    if (*end == '\0') {
      if (errno == ERANGE || exact < range->first || exact > range->second)
        return text + " is out of range for " + type + rangeText(*range);
      value.integer = exact;
      return "";
    }
  }
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || end == text.c_str())
    return "'" + text + "' is not a number";
  // Past what a double holds (1e400): out of range for every type, not inf.
  if (std::isinf(v) && errno == ERANGE)
    return text + " is out of range for " + type;
  if (std::string why = checkScalarValue(v, text, type); !why.empty())
    return why;
  if (range)
    value.integer = static_cast<int64_t>(v);
  else
    value.real = v;
  return "";
}
