//===- Files.h - How kdsl reads inputs and writes outputs -------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
//
// One mechanism for every file a kdsl tool or library reads or writes, so
// that bad input never exhausts memory and a failed or killed run never loses
// a file. Plain C++17 (no LLVM): the runtime uses it too.
//
// Inputs are regular files (or standard input, "-") no larger than a limit
// the caller names; a device such as /dev/zero, a FIFO or a directory is
// refused with a message.
//
// Outputs are written to a temporary file beside their target and renamed
// over it only when complete, so the target holds either its old contents or
// the new ones, never a part. A symlink is written through: its final target
// is replaced (atomically there) and the link stays. A target that exists and
// is not a regular file (a directory, a device, a FIFO) is refused, except
// the null device, which discards, and the process's own streams
// (/dev/stdout, /dev/fd/N), written in place. A temporary left by a killed
// process is removed by the next write to the same directory. A replaced
// file keeps its permission bits but not its owner or other hard links.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_FILES_H
#define KDSL_SUPPORT_FILES_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kdsl {

/// Size limits of inputs (documented in README.md, "Limits").
constexpr uint64_t kMaxSourceBytes = uint64_t(16) << 20;     // .kdsl
constexpr uint64_t kMaxTextInputBytes = uint64_t(256) << 20; // CSV, JSON
constexpr uint64_t kMaxArrayInputBytes = uint64_t(16) << 30; // .npy
constexpr uint64_t kMaxBundleBytes = uint64_t(4) << 30;      // .kpack

/// Reads all of `path` ("-": standard input) into `bytes`. Fails, with
/// `error` as "PATH: what is wrong", for a file that is not a regular file,
/// or that holds more than `maxBytes` bytes (`what` names the kind of file in
/// that message, as "a .kdsl source").
bool readInputFile(const std::string &path, uint64_t maxBytes,
                   std::string_view what, std::string &bytes,
                   std::string &error);
bool readInputFile(const std::string &path, uint64_t maxBytes,
                   std::string_view what, std::vector<uint8_t> &bytes,
                   std::string &error);

/// An output being written: a temporary file beside the target, renamed over
/// it by commit(). Destroying an uncommitted one removes the temporary.
class AtomicFile {
public:
  /// Where an output lands: a regular file (replaced by a rename), the null
  /// device (dropped), or a stream of this process (/dev/stdout, /dev/fd/N:
  /// copied into it on commit, at its position).
  enum class Sink { File, Null, Stream };

  AtomicFile() = default;
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;
  ~AtomicFile();

  /// Prepares to replace `path` (not "-"). Fails, with `error` as
  /// "PATH: what is wrong", when `path` names something other than a
  /// regular file, the null device or a stream (through any symlinks), a
  /// read-only file, or a file in a directory that is missing or not
  /// writable.
  bool open(const std::string &path, std::string &error);

  /// Where to write: the temporary's path, for writers that open files by
  /// name (SQLite). Every sink has one; only a File sink's is beside the
  /// target.
  const std::string &tempPath() const { return temp; }
  /// Appends `bytes` to the temporary.
  bool write(std::string_view bytes, std::string &error);
  /// Closes the temporary and renames it over the target (or copies it to
  /// the stream, or drops it).
  bool commit(std::string &error);
  /// The file that commit() replaces: the target with symlinks resolved.
  const std::string &targetPath() const { return target; }

private:
  void discard();

  std::string shown;  // the path as the caller gave it, for messages
  std::string target; // the final place, symlinks resolved
  std::string temp;
  int descriptor = -1;
  Sink sink = Sink::File;
  int stream = -1;
  bool open_ = false;
};

/// Whether `path` may be written as an output (AtomicFile::open would accept
/// it), without creating anything; for checking every output of a command
/// before its work starts. "-" (standard output) may.
bool checkOutputPath(const std::string &path, std::string &error);

/// Writes `bytes` to `path` through an AtomicFile; "-" writes standard
/// output. On failure returns false with `error` as "PATH: what is wrong".
bool writeOutputFile(const std::string &path, std::string_view bytes,
                     std::string &error);

} // namespace kdsl

#endif // KDSL_SUPPORT_FILES_H
