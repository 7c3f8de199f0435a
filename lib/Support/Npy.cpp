//===- Npy.cpp - NumPy .npy file reader and writer ------------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
//
// Plain C++17 only: this file is shared with the launch-time runtime and must
// not depend on LLVM or MLIR. It never throws; every malformed input becomes
// one "FILE: what is wrong" message.
//
// The format (numpy.lib.format): the magic string "\x93NUMPY", a major and a
// minor version byte, the header length (2 bytes little-endian in version
// 1.0, 4 bytes in 2.0 and 3.0), then the header: a Python dict literal such
// as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces and ending in '\n'. The raw data follows.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Npy.h"
#include "kdsl/Support/Files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

using namespace kdsl;

namespace {

constexpr uint8_t kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMagicLen = sizeof(kMagic);
/// The preamble (magic, version, header length, header) of the files we
/// write is a multiple of this; numpy.lib.format.ARRAY_ALIGN.
constexpr size_t kArrayAlign = 64;
/// np.save pads the header with spaces so that the first dimension could
/// grow to this many digits in place; numpy.lib.format.GROWTH_AXIS_MAX_DIGITS.
/// We do the same so that our files are byte-identical to np.save's.
constexpr size_t kGrowthAxisMaxDigits = 21;

/// kdsl's view of one supported NumPy dtype.
struct DTypeInfo {
  NpyDType dtype;
  /// The NumPy kind character: 'b', 'i', 'u' or 'f'.
  char kind;
  size_t itemSize;
  const char *name;
  /// The descr we write (what np.save writes for the dtype).
  const char *descr;
};

constexpr DTypeInfo kDTypes[] = {
    {NpyDType::Bool, 'b', 1, "bool", "|b1"},
    {NpyDType::I8, 'i', 1, "i8", "|i1"},
    {NpyDType::I16, 'i', 2, "i16", "<i2"},
    {NpyDType::I32, 'i', 4, "i32", "<i4"},
    {NpyDType::I64, 'i', 8, "i64", "<i8"},
    {NpyDType::F16, 'f', 2, "f16", "<f2"},
    {NpyDType::F32, 'f', 4, "f32", "<f4"},
    {NpyDType::F64, 'f', 8, "f64", "<f8"},
    {NpyDType::U16, 'u', 2, "u16", "<u2"},
};

const DTypeInfo *lookupDType(NpyDType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return &info;
  return nullptr;
}

/// True if this host stores integers little-endian, which is what NumPy's
/// '=' (native) byte order then means.
constexpr bool hostIsLittleEndian() {
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
  return __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__;
#else
  return true; // x86, AArch64 and every GPU host kdsl targets.
#endif
}

/// Formats a shape the way Python prints a tuple: (), (5,), (2, 3).
std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

/// Quotes a string from a file for an error message, escaping anything that
/// is not printable ASCII.
std::string quote(const std::string &s) {
  std::string q = "'";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      q += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      q += buf;
    }
  }
  return q + "'";
}

/// The size in bytes the data of `shape` with `itemSize`-byte elements takes,
/// or false if a dimension is negative or the size overflows. Like NumPy, the
/// non-zero dimensions must multiply out without overflow even when another
/// dimension is 0.
bool dataSizeOf(const std::vector<int64_t> &shape, size_t itemSize,
                uint64_t &count, uint64_t &bytes) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t product = 1;
  bool hasZero = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim == 0) {
      hasZero = true;
      continue;
    }
    if (product > kMax / static_cast<uint64_t>(dim))
      return false;
    product *= static_cast<uint64_t>(dim);
  }
  if (itemSize == 0 || product > kMax / itemSize ||
      product * itemSize > std::numeric_limits<size_t>::max())
    return false;
  count = hasZero ? 0 : product;
  bytes = count * itemSize;
  return true;
}

/// What a header says.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// A recursive-descent parser for the header dict. It accepts exactly the
/// Python literals np.save writes (and older NumPy versions wrote): string
/// keys in any order, a string descr, True/False, and a tuple of
/// non-negative integers (with an optional Python 2 'L' suffix).
class HeaderParser {
public:
  HeaderParser(const char *begin, const char *end)
      : begin(begin), cur(begin), end(end) {}

  /// Parses the whole header into `header`; on failure sets `error` (without
  /// the file name) and returns false.
  bool parse(Header &header, std::string &error) {
    skipSpace();
    if (!consume('{')) {
      error = "header is not a Python dict literal (it starts with " + found() +
              ", expected '{')";
      return false;
    }
    bool seenDescr = false, seenOrder = false, seenShape = false;
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      if (cur == end || (*cur != '\'' && *cur != '"')) {
        error = "malformed header: expected a quoted key or '}' " + where() +
                ", found " + found();
        return false;
      }
      std::string key;
      if (!parseString(key, "key", error))
        return false;
      skipSpace();
      if (!consume(':')) {
        error = "malformed header: expected ':' after key " + quote(key) + " " +
                where() + ", found " + found();
        return false;
      }
      skipSpace();
      bool *seen;
      bool ok;
      if (key == "descr") {
        seen = &seenDescr;
        if (cur != end && *cur == '[') {
          error = "structured dtypes are not supported (the header's 'descr' "
                  "is a list)";
          return false;
        }
        if (cur == end || (*cur != '\'' && *cur != '"')) {
          error = "malformed header: the value of 'descr' is not a string " +
                  where() + " (found " + found() + ")";
          return false;
        }
        ok = parseString(header.descr, "'descr' value", error);
      } else if (key == "fortran_order") {
        seen = &seenOrder;
        ok = parseBool(header.fortranOrder, error);
      } else if (key == "shape") {
        seen = &seenShape;
        ok = parseShape(header.shape, error);
      } else {
        error = "unexpected key " + quote(key) +
                " in header (expected only 'descr', 'fortran_order' and "
                "'shape')";
        return false;
      }
      if (!ok)
        return false;
      if (*seen) {
        error = "malformed header: key " + quote(key) + " appears twice";
        return false;
      }
      *seen = true;
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      error = "malformed header: expected ',' or '}' " + where() + ", found " +
              found();
      return false;
    }
    skipSpace();
    if (cur != end) {
      error = "malformed header: unexpected " + found() +
              " after the closing '}' " + where();
      return false;
    }
    const char *missing = !seenDescr   ? "descr"
                          : !seenOrder ? "fortran_order"
                          : !seenShape ? "shape"
                                       : nullptr;
    if (missing) {
      error = std::string("header is missing the '") + missing + "' key";
      return false;
    }
    return true;
  }

private:
  const char *begin, *cur, *end;

  void skipSpace() {
    while (cur != end && (*cur == ' ' || *cur == '\t' || *cur == '\n' ||
                          *cur == '\r' || *cur == '\f' || *cur == '\v'))
      ++cur;
  }

  bool consume(char c) {
    if (cur == end || *cur != c)
      return false;
    ++cur;
    return true;
  }

  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (static_cast<size_t>(end - cur) < n || std::memcmp(cur, word, n) != 0)
      return false;
    cur += n;
    return true;
  }

  /// "at header offset N".
  std::string where() const {
    return "at header offset " + std::to_string(cur - begin);
  }

  /// The character at the cursor, for an error message.
  std::string found() const {
    if (cur == end)
      return "the end of the header";
    return quote(std::string(1, *cur));
  }

  /// A Python string literal in single or double quotes. Escapes are kept
  /// verbatim (no valid descr or key contains one).
  bool parseString(std::string &out, const char *what, std::string &error) {
    char q = *cur++;
    const char *start = cur;
    while (cur != end && *cur != q && *cur != '\n') {
      if (*cur == '\\' && cur + 1 != end)
        ++cur;
      ++cur;
    }
    if (cur == end || *cur != q) {
      error = std::string("malformed header: unterminated string (") + what +
              ") " + where();
      return false;
    }
    out.assign(start, cur);
    ++cur;
    return true;
  }

  bool parseBool(bool &out, std::string &error) {
    if (consumeWord("True"))
      out = true;
    else if (consumeWord("False"))
      out = false;
    else {
      error = "malformed header: the value of 'fortran_order' is not True or "
              "False " +
              where() + " (found " + found() + ")";
      return false;
    }
    return true;
  }

  bool parseDim(int64_t &out, std::string &error) {
    if (cur != end && *cur == '-') {
      error = "negative dimension in shape " + where();
      return false;
    }
    if (cur == end || *cur < '0' || *cur > '9') {
      error = "malformed header: expected a dimension in 'shape' " + where() +
              ", found " + found();
      return false;
    }
    uint64_t value = 0;
    constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
    while (cur != end && *cur >= '0' && *cur <= '9') {
      uint64_t digit = static_cast<uint64_t>(*cur - '0');
      if (value > (kMax - digit) / 10) {
        error = "shape is too large: a dimension does not fit in 64 bits " +
                where();
        return false;
      }
      value = value * 10 + digit;
      ++cur;
    }
    if (cur != end && (*cur == 'L' || *cur == 'l')) // Python 2 long.
      ++cur;
    out = static_cast<int64_t>(value);
    return true;
  }

  bool parseShape(std::vector<int64_t> &shape, std::string &error) {
    if (!consume('(')) {
      error = "malformed header: the value of 'shape' is not a tuple " +
              where() + " (found " + found() + ")";
      return false;
    }
    shape.clear();
    skipSpace();
    if (consume(')'))
      return true;
    bool sawComma = false;
    while (true) {
      int64_t dim;
      if (!parseDim(dim, error))
        return false;
      shape.push_back(dim);
      skipSpace();
      if (consume(',')) {
        sawComma = true;
        skipSpace();
        if (consume(')'))
          return true;
        continue;
      }
      if (consume(')')) {
        if (shape.size() == 1 && !sawComma) {
          error = "malformed header: the value of 'shape' is (" +
                  std::to_string(shape[0]) +
                  "), which is an integer, not a tuple (a 1-d shape is "
                  "written (" +
                  std::to_string(shape[0]) + ",))";
          return false;
        }
        return true;
      }
      error = "malformed header: expected ',' or ')' in 'shape' " + where() +
              ", found " + found();
      return false;
    }
  }
};

/// Maps a descr to a dtype, enforcing the byte order rules. Sets `error`
/// (without the file name) on failure.
bool resolveDescr(const std::string &descr, NpyDType &dtype,
                  std::string &error) {
  char order = '=';
  std::string rest = descr;
  if (!rest.empty() &&
      (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=')) {
    order = rest[0];
    rest = rest.substr(1);
  }
  const DTypeInfo *info = nullptr;
  for (const DTypeInfo &candidate : kDTypes)
    if (rest.size() >= 2 && rest[0] == candidate.kind &&
        rest.substr(1) == std::to_string(candidate.itemSize))
      info = &candidate;
  if (!info) {
    error = "unsupported dtype " + quote(descr) +
            " (supported: |b1, |i1, <i2, <i4, <i8, <f2, <f4, <f8, <u2)";
    return false;
  }
  if (info->itemSize > 1) {
    if (order == '|') {
      error = "dtype " + quote(descr) +
              " has byte order '|' (not applicable), which is invalid for a "
              "multi-byte type; expected '<'";
      return false;
    }
    if (order == '>' || (order == '=' && !hostIsLittleEndian())) {
      error = "big-endian arrays are not supported; convert with "
              "arr.astype('<" +
              rest + "')";
      return false;
    }
  }
  dtype = info->dtype;
  return true;
}

/// What parseImage found: the array's type and shape, and where its data is.
struct Parsed {
  NpyDType dtype;
  std::vector<int64_t> shape;
  size_t dataOffset;
  size_t dataSize;
};

/// Validates a whole file image. Sets `error` (without the file name).
bool parseImage(const uint8_t *bytes, size_t size, Parsed &parsed,
                std::string &error) {
  if (size == 0) {
    error = "the file is empty (not a .npy file)";
    return false;
  }
  if (std::memcmp(bytes, kMagic, size < kMagicLen ? size : kMagicLen) != 0) {
    error = "not a .npy file (bad magic: it does not start with \\x93NUMPY)";
    return false;
  }
  if (size < kMagicLen + 2) {
    error = "truncated preamble: the file is only " + std::to_string(size) +
            " bytes";
    return false;
  }
  unsigned major = bytes[kMagicLen], minor = bytes[kMagicLen + 1];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)";
    return false;
  }
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t headerStart = kMagicLen + 2 + lengthBytes;
  if (size < headerStart) {
    error = "truncated preamble: the file is only " + std::to_string(size) +
            " bytes";
    return false;
  }
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthBytes; ++i)
    headerLength |= static_cast<uint64_t>(bytes[kMagicLen + 2 + i]) << (8 * i);
  if (headerLength > size - headerStart) {
    error = "truncated header: the header is " + std::to_string(headerLength) +
            " bytes but only " + std::to_string(size - headerStart) +
            " bytes follow the preamble";
    return false;
  }
  const char *headerBegin = reinterpret_cast<const char *>(bytes + headerStart);
  Header header;
  if (!HeaderParser(headerBegin, headerBegin + headerLength)
           .parse(header, error))
    return false;
  NpyDType dtype;
  if (!resolveDescr(header.descr, dtype, error))
    return false;
  if (header.fortranOrder) {
    error = "Fortran-order arrays are not supported; use np.ascontiguousarray";
    return false;
  }
  uint64_t count, dataSize;
  size_t itemSize = npyItemSize(dtype);
  if (!dataSizeOf(header.shape, itemSize, count, dataSize)) {
    error = "shape " + formatShape(header.shape) + " of " +
            npyDTypeName(dtype) + " is too large (its size in bytes overflows)";
    return false;
  }
  size_t dataOffset = headerStart + static_cast<size_t>(headerLength);
  size_t available = size - dataOffset;
  std::string what = "shape " + formatShape(header.shape) + " of " +
                     npyDTypeName(dtype) + " needs " +
                     std::to_string(dataSize) + " bytes of data";
  if (available < dataSize) {
    error = "truncated data: " + what + " but the file has only " +
            std::to_string(available) + " bytes after the header";
    return false;
  }
  if (available > dataSize) {
    error = "trailing bytes: " + what + " but the file has " +
            std::to_string(available) + " bytes after the header (" +
            std::to_string(available - dataSize) + " extra)";
    return false;
  }
  parsed.dtype = dtype;
  parsed.shape = std::move(header.shape);
  parsed.dataOffset = dataOffset;
  parsed.dataSize = static_cast<size_t>(dataSize);
  return true;
}

/// Checks that `array` can be serialized; sets `error` (without the file
/// name) if not.
bool validateArray(const NpyArray &array, std::string &error) {
  const DTypeInfo *info = lookupDType(array.dtype);
  if (!info) {
    error =
        "invalid dtype value " + std::to_string(static_cast<int>(array.dtype));
    return false;
  }
  for (int64_t dim : array.shape)
    if (dim < 0) {
      error = "negative dimension in shape " + formatShape(array.shape);
      return false;
    }
  uint64_t count, bytes;
  if (!dataSizeOf(array.shape, info->itemSize, count, bytes)) {
    error = "shape " + formatShape(array.shape) + " of " + info->name +
            " is too large (its size in bytes overflows)";
    return false;
  }
  if (array.data.size() != bytes) {
    error = "array data is " + std::to_string(array.data.size()) +
            " bytes but shape " + formatShape(array.shape) + " of " +
            info->name + " needs " + std::to_string(bytes);
    return false;
  }
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

const char *kdsl::npyDTypeName(NpyDType dtype) {
  const DTypeInfo *info = lookupDType(dtype);
  return info ? info->name : "unknown";
}

size_t kdsl::npyItemSize(NpyDType dtype) {
  const DTypeInfo *info = lookupDType(dtype);
  return info ? info->itemSize : 0;
}

int64_t NpyArray::numElements() const {
  uint64_t count, bytes;
  if (!dataSizeOf(shape, 1, count, bytes))
    return -1;
  return static_cast<int64_t>(count);
}

bool kdsl::parseNpy(const std::string &name, const uint8_t *bytes, size_t size,
                    NpyArray &out, std::string &error) {
  Parsed parsed;
  std::string why;
  if (!bytes && size != 0) {
    error = name + ": no data";
    return false;
  }
  if (!parseImage(bytes, size, parsed, why)) {
    error = name + ": " + why;
    return false;
  }
  out.dtype = parsed.dtype;
  out.shape = std::move(parsed.shape);
  out.data.assign(bytes + parsed.dataOffset,
                  bytes + parsed.dataOffset + parsed.dataSize);
  return true;
}

bool kdsl::readNpy(const std::string &path, NpyArray &out, std::string &error) {
  std::vector<uint8_t> buffer;
  if (!readInputFile(path, kMaxArrayInputBytes, "a .npy file", buffer, error))
    return false;
  Parsed parsed;
  std::string why;
  if (!parseImage(buffer.data(), buffer.size(), parsed, why)) {
    error = path + ": " + why;
    return false;
  }
  // Reuse the file buffer for the data: drop the preamble in place.
  buffer.erase(buffer.begin(), buffer.begin() + parsed.dataOffset);
  out.dtype = parsed.dtype;
  out.shape = std::move(parsed.shape);
  out.data = std::move(buffer);
  return true;
}

std::vector<uint8_t> kdsl::serializeNpy(const NpyArray &array) {
  std::string why;
  if (!validateArray(array, why))
    return {};
  const DTypeInfo *info = lookupDType(array.dtype);
  // Exactly what numpy.lib.format._write_array_header produces: the dict
  // with sorted keys, spare spaces for the first dimension to grow, then
  // spaces and '\n' up to a multiple of 64 bytes.
  std::string header =
      std::string("{'descr': '") + info->descr +
      "', 'fortran_order': False, 'shape': " + formatShape(array.shape) + ", }";
  if (!array.shape.empty()) {
    size_t digits = std::to_string(array.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits)
      header.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  size_t withNewline = header.size() + 1;
  unsigned major = 1;
  size_t lengthBytes = 2;
  size_t padding =
      kArrayAlign - (kMagicLen + 2 + lengthBytes + withNewline) % kArrayAlign;
  if (withNewline + padding > 0xffff) {
    major = 2;
    lengthBytes = 4;
    padding =
        kArrayAlign - (kMagicLen + 2 + lengthBytes + withNewline) % kArrayAlign;
    if (withNewline + padding > 0xffffffffu)
      return {};
  }
  size_t headerLength = withNewline + padding;

  std::vector<uint8_t> bytes;
  bytes.reserve(kMagicLen + 2 + lengthBytes + headerLength + array.data.size());
  bytes.insert(bytes.end(), kMagic, kMagic + kMagicLen);
  bytes.push_back(static_cast<uint8_t>(major));
  bytes.push_back(0);
  for (size_t i = 0; i < lengthBytes; ++i)
    bytes.push_back(static_cast<uint8_t>(headerLength >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), padding, ' ');
  bytes.push_back('\n');
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());
  return bytes;
}

bool kdsl::writeNpy(const std::string &path, const NpyArray &array,
                    std::string &error) {
  std::string why;
  if (!validateArray(array, why)) {
    error = path + ": cannot write: " + why;
    return false;
  }
  std::vector<uint8_t> bytes = serializeNpy(array);
  if (bytes.empty()) {
    error = path + ": cannot write: the header is too large";
    return false;
  }

  std::string_view text(reinterpret_cast<const char *>(bytes.data()),
                        bytes.size());
  return writeOutputFile(path, text, error);
}
