//===- Npy.h - NumPy .npy file reader and writer ----------------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
//
// Reads and writes NumPy `.npy` files (format versions 1.0, 2.0 and 3.0, see
// numpy.lib.format) so that `kdslc run` and the runtime can bind kernel
// buffers to arrays saved with `np.save`. Plain C++17 (no LLVM): the runtime
// reuses it. Nothing here throws; errors come back as strings of the form
// "FILE: what is wrong".
//
// Only C-order, little-endian arrays of the element types in NpyDType are
// supported. bf16 has no NumPy dtype: bf16 buffers travel as `<u2` arrays
// holding the raw bf16 bits (NpyDType::U16), e.g.
// `(a.astype(np.float32).view(np.uint32) >> 16).astype('<u2')` on the NumPy
// side.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_NPY_H
#define KDSL_SUPPORT_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kdsl {

/// The element types a .npy file may hold. U16 (`<u2`) also carries bf16
/// bit patterns, since NumPy has no bf16 dtype.
enum class NpyDType { Bool, I8, I16, I32, I64, F16, F32, F64, U16 };

/// The kdsl name of `dtype`: "bool", "i8", "i16", "i32", "i64", "f16", "f32",
/// "f64" or "u16" ("unknown" for a value outside the enum).
const char *npyDTypeName(NpyDType dtype);

/// The size in bytes of one element of `dtype` (0 for a value outside the
/// enum).
size_t npyItemSize(NpyDType dtype);

/// An array read from or to be written to a .npy file.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  /// The dimensions, outermost first; empty for a 0-d array (one element).
  std::vector<int64_t> shape;
  /// The elements in C order, little-endian; its size is
  /// numElements() * npyItemSize(dtype).
  std::vector<uint8_t> data;

  /// The product of the dimensions (1 for a 0-d array, 0 if any dimension is
  /// 0), or -1 if a dimension is negative or the product of the non-zero
  /// dimensions overflows int64_t (NumPy's rule too).
  int64_t numElements() const;
};

/// Reads `path`, a regular file of at most kMaxArrayInputBytes (Files.h). On
/// failure returns false, leaves `out` unchanged and sets `error` ("FILE:
/// what is wrong").
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// Parses an in-memory file image of `size` bytes (same errors as readNpy,
/// with `name` standing for the file in messages). On failure returns false
/// and leaves `out` unchanged.
bool parseNpy(const std::string &name, const uint8_t *bytes, size_t size,
              NpyArray &out, std::string &error);

/// Writes version 1.0 (or 2.0 if the header needs it), the preamble padded to
/// 64 bytes, through writeOutputFile (Files.h): a failure leaves the old file
/// as it was. On failure (an inconsistent array, an
/// I/O error) returns false and sets `error` ("FILE: what is wrong").
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// Serializes to bytes (for tests); the bytes are what writeNpy writes, and
/// match `np.save` for the same array. Returns an empty vector if `array` is
/// inconsistent (a negative dimension, a dtype outside the enum, or data
/// whose size is not numElements() * itemsize).
std::vector<uint8_t> serializeNpy(const NpyArray &array);

} // namespace kdsl

#endif // KDSL_SUPPORT_NPY_H
