//===- bundle.hpp - The .kpack kernel bundle format -------------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A `.kpack` is an SQLite database holding everything the runtime needs to
/// launch a bundle's kernels: per kernel its signature, grid expressions,
/// @config, @autotune space and key; per variant its config, specialization,
/// PTX, a cubin per arch where `ptxas` ran, and resource use. Open one with
/// `sqlite3 FILE.kpack .tables` or `SELECT * FROM kernels`.
///
/// Tables (format version 3):
///   meta(key, value)          format = 'kdsl-kpack', format_version, producer
///   kernels(name, grid, fixed_config, tune_space, tune_where, tune_key,
///           source_hash)
///   params(kernel, position, name, kind, dtype, default_expr)
///   ptx(id, text, checksum), cubins(id, data, checksum)
///                             each distinct PTX module and cubin once, with
///                             the XXH3-64 of its bytes as 16 hex digits,
///                             checked on every load
///   variants(id, kernel, config, specialization, entry, num_warps,
///            num_stages, shared_bytes, ptx_id)
///   binaries(variant, arch, cubin_id, registers, spill_bytes, stack_bytes)
///
/// Text encodings: a config is `BLOCK=1024,num_warps=4,num_stages=2`; a grid
/// is up to three constexpr expressions joined by `;`; a tune space is
/// `BLOCK=256|512;num_warps=4|8`; a key is `n,exact(K)`; a specialization is
/// `x:align16,n:div16,s:eq1` (empty for the generic variant).
///
//===----------------------------------------------------------------------===//

#ifndef KDSL_BUNDLE_HPP
#define KDSL_BUNDLE_HPP

#include "kdsl/runtime.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace kdsl::rt {

/// The format version this library writes. It reads this one and version 2,
/// whose blobs carry no checksums (and so cannot be checked).
constexpr int kBundleFormatVersion = 3;
constexpr int kOldestBundleFormatVersion = 2;

struct ParamInfo {
  enum class Kind : uint8_t { Pointer, Scalar, Constexpr };
  std::string name;
  Kind kind = Kind::Scalar;
  /// The scalar's type, or the pointee type of a pointer.
  DType type = DType::I32;
  /// A constexpr's default expression; empty when it has none.
  std::string defaultExpr;
};

struct BinaryInfo {
  std::string arch; ///< `sm_90a`, `sm_80`
  std::vector<uint8_t> cubin;
  int registers = -1;
  int spillBytes = -1;
  int stackBytes = -1;
};

struct VariantInfo {
  /// Every constexpr's value, then num_warps and num_stages.
  ConfigEntries config;
  /// Requirements on the arguments, `x:align16,n:div16,s:eq1` (a pointer
  /// 16-byte aligned, an integer divisible by 16, an integer equal to 1);
  /// empty for generic.
  std::string specialization;
  /// The PTX entry point.
  std::string entry;
  int numWarps = 4;
  int numStages = 2;
  /// Dynamic shared memory the launch requests, in bytes.
  uint32_t sharedBytes = 0;
  std::string ptx;
  std::vector<BinaryInfo> binaries;
};

struct KernelInfo {
  std::string name;
  std::vector<ParamInfo> params;
  /// Grid expressions (x, y, z); empty when the caller gives the grid.
  std::vector<std::string> grid;
  ConfigEntries fixedConfig;
  /// (axis name, values) of @autotune, in source order.
  std::vector<std::pair<std::string, std::vector<int64_t>>> tuneSpace;
  std::string tuneWhere;
  std::vector<std::string> tuneKey;
  std::string sourceHash;
  std::vector<VariantInfo> variants;
};

struct BundleContents {
  std::string producer;
  std::vector<KernelInfo> kernels;
};

/// Writes `contents` to `path` atomically (a temporary file renamed over
/// it): on any error nothing is written and Error is thrown.
void writeBundle(const std::string &path, const BundleContents &contents);

/// Reads and validates a whole bundle. Throws Error naming the file for a
/// missing, truncated or corrupt file, a file that is not a kdsl bundle, a
/// different format version, or inconsistent contents.
BundleContents readBundle(const std::string &path);
/// The same for a bundle held in memory (e.g. embedded by
/// `kdslc --emit=c-header`); `name` names it in errors.
BundleContents readBundle(const void *bytes, size_t size,
                          const std::string &name);

/// `BLOCK=1024,num_warps=4` and back; parseConfig throws Error on bad text.
std::string formatConfig(const ConfigEntries &config);
ConfigEntries parseConfig(const std::string &text);

} // namespace kdsl::rt

#endif // KDSL_BUNDLE_HPP
