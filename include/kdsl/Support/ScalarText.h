//===- ScalarText.h - Scalars written on a command line ---------*- C++ -*-===//
//
// Part of the kdsl project.
//
// One reading of a number typed by a user for a scalar type (kdslc run's and
// kdsl-launch's NAME=VALUE arguments, kdsl-npy's --fill), so that every tool
// accepts the same texts and refuses the rest in the same words: a value is
// stored exactly as asked or not at all. Plain C++ (no LLVM).
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_SCALARTEXT_H
#define KDSL_SUPPORT_SCALARTEXT_H

#include <cstdint>
#include <string>

namespace kdsl {

/// A number read from text for a scalar type.
struct ScalarValue {
  bool isFloat = false;
  int64_t integer = 0; ///< for bool and the integer types
  double real = 0;     ///< for the float types
};

/// Reads `text` as a value of the scalar type `type` ("bool", "i8", "i16",
/// "i32", "i64", "u16", "f16", "bf16", "f32", "f64"). Integer types take
/// whole numbers within their range, in any base C accepts (42, 0x2A) or as
/// a float that is whole (1e3); bool takes true, false, 0 or 1. Float types
/// take any number that does not round to inf in the type (inf, -inf and nan
/// when written so). Returns an empty string and sets `value`, or says why
/// not: "9223372036854775808 is out of range for i64 (-9223372036854775808
/// to 9223372036854775807)".
std::string parseScalarText(const std::string &text, const std::string &type,
                            ScalarValue &value);

/// The same check for a value already read (a computed end of a range):
/// `shown` is how messages write it.
std::string checkScalarValue(double v, const std::string &shown,
                             const std::string &type);

} // namespace kdsl

#endif // KDSL_SUPPORT_SCALARTEXT_H
