//===- Bundle.cpp - Reading and writing .kpack bundles --------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"
#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/Files.h"

#include "Sqlite.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace kdsl::rt;

static const char *const kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE kernels(
  name TEXT PRIMARY KEY,
  grid TEXT NOT NULL,
  fixed_config TEXT NOT NULL,
  tune_space TEXT NOT NULL,
  tune_where TEXT NOT NULL,
  tune_key TEXT NOT NULL,
  source_hash TEXT NOT NULL);
CREATE TABLE params(
  kernel TEXT NOT NULL REFERENCES kernels(name),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pointer', 'scalar', 'constexpr')),
  dtype TEXT NOT NULL,
  default_expr TEXT NOT NULL,
  PRIMARY KEY (kernel, position));
CREATE TABLE ptx(id INTEGER PRIMARY KEY, text TEXT NOT NULL,
  checksum TEXT NOT NULL);
CREATE TABLE cubins(id INTEGER PRIMARY KEY, data BLOB NOT NULL,
  checksum TEXT NOT NULL);
CREATE TABLE variants(
  id INTEGER PRIMARY KEY,
  kernel TEXT NOT NULL REFERENCES kernels(name),
  config TEXT NOT NULL,
  specialization TEXT NOT NULL,
  entry TEXT NOT NULL,
  num_warps INTEGER NOT NULL,
  num_stages INTEGER NOT NULL,
  shared_bytes INTEGER NOT NULL,
  ptx_id INTEGER NOT NULL REFERENCES ptx(id),
  UNIQUE (kernel, config, specialization));
CREATE TABLE binaries(
  variant INTEGER NOT NULL REFERENCES variants(id),
  arch TEXT NOT NULL,
  cubin_id INTEGER NOT NULL REFERENCES cubins(id),
  registers INTEGER NOT NULL,
  spill_bytes INTEGER NOT NULL,
  stack_bytes INTEGER NOT NULL,
  PRIMARY KEY (variant, arch));
)sql";

/// The tables a bundle of this format version holds.
static const char *const kTables[] = {"meta",   "kernels",  "params",  "ptx",
                                      "cubins", "variants", "binaries"};

/// The checksum a bundle stores with each blob: XXH3-64 of its bytes, as 16
/// lowercase hex digits. A flipped bit in PTX or a cubin is found on load
/// instead of running other code.
static std::string blobChecksum(const void *bytes, size_t size) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes, size)));
  return text;
}

static const char *kindName(ParamInfo::Kind kind) {
  switch (kind) {
  case ParamInfo::Kind::Pointer:
    return "pointer";
  case ParamInfo::Kind::Scalar:
    return "scalar";
  case ParamInfo::Kind::Constexpr:
    return "constexpr";
  }
  return "?";
}

static std::vector<std::string> split(const std::string &text, char sep) {
  std::vector<std::string> parts;
  if (text.empty())
    return parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos)
      return parts;
    start = end + 1;
  }
}

static std::string join(const std::vector<std::string> &parts, char sep) {
  std::string text;
  for (const std::string &part : parts) {
    if (!text.empty())
      text += sep;
    text += part;
  }
  return text;
}

static bool parseInt(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  size_t used = 0;
  try {
    value = std::stoll(text, &used, 10);
  } catch (...) {
    return false;
  }
  return used == text.size();
}

std::string kdsl::rt::formatConfig(const ConfigEntries &config) {
  return kdsl::formatConfig(config);
}

ConfigEntries kdsl::rt::parseConfig(const std::string &text) {
  ConfigEntries config;
  for (const std::string &entry : split(text, ',')) {
    size_t eq = entry.find('=');
    int64_t value = 0;
    std::string text = eq == std::string::npos ? "" : entry.substr(eq + 1);
    bool boolean = text == "true" || text == "false";
    if (boolean)
      value = text == "true";
    if (eq == std::string::npos || eq == 0 ||
        (!boolean && !parseInt(text, value)))
      throw Error("config entry '" + entry +
                  "' must be NAME=INTEGER (or true/false)");
    config.emplace_back(entry.substr(0, eq), value);
  }
  return config;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

void kdsl::rt::writeBundle(const std::string &path,
                           const BundleContents &contents) {
  // Written beside `path` and renamed over it when complete.
  AtomicFile file;
  std::string error;
  if (!file.open(path, error))
    throw Error("cannot write bundle: " + error);
  {
    SqliteDb db(file.tempPath(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                "bundle '" + path + "'");
    db.exec("PRAGMA journal_mode = OFF; BEGIN;");
    db.exec(kSchema);
    SqliteStmt meta = db.prepare("INSERT INTO meta VALUES (?, ?)");
    meta.bind(1, "format").bind(2, "kdsl-kpack").step();
    meta.reset()
        .bind(1, "format_version")
        .bind(2, std::to_string(kBundleFormatVersion))
        .step();
    meta.reset().bind(1, "producer").bind(2, contents.producer).step();

    SqliteStmt kernel =
        db.prepare("INSERT INTO kernels VALUES (?, ?, ?, ?, ?, ?, ?)");
    SqliteStmt param =
        db.prepare("INSERT INTO params VALUES (?, ?, ?, ?, ?, ?)");
    SqliteStmt variant = db.prepare(
        "INSERT INTO variants (kernel, config, specialization, entry, "
        "num_warps, num_stages, shared_bytes, ptx_id) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?)");
    SqliteStmt binary =
        db.prepare("INSERT INTO binaries VALUES (?, ?, ?, ?, ?, ?)");
    // Variants that compiled to the same code (configs whose knobs change
    // nothing, like num_stages without a loop) store it once.
    SqliteStmt ptxRow =
        db.prepare("INSERT INTO ptx (text, checksum) VALUES (?, ?)");
    SqliteStmt cubinRow =
        db.prepare("INSERT INTO cubins (data, checksum) VALUES (?, ?)");
    std::map<std::string, int64_t> ptxIds;
    std::map<std::vector<uint8_t>, int64_t> cubinIds;
    auto ptxId = [&](const std::string &text) {
      auto [it, added] = ptxIds.emplace(text, 0);
      if (added) {
        ptxRow.reset()
            .bind(1, text)
            .bind(2, blobChecksum(text.data(), text.size()))
            .step();
        it->second = db.lastInsertRowid();
      }
      return it->second;
    };
    auto cubinId = [&](const std::vector<uint8_t> &data) {
      auto [it, added] = cubinIds.emplace(data, 0);
      if (added) {
        cubinRow.reset()
            .bindBlob(1, data.data(), data.size())
            .bind(2, blobChecksum(data.data(), data.size()))
            .step();
        it->second = db.lastInsertRowid();
      }
      return it->second;
    };
    for (const KernelInfo &k : contents.kernels) {
      std::vector<std::string> space;
      for (const auto &[name, values] : k.tuneSpace) {
        std::vector<std::string> texts;
        for (int64_t v : values)
          texts.push_back(std::to_string(v));
        space.push_back(name + "=" + join(texts, '|'));
      }
      kernel.reset()
          .bind(1, k.name)
          .bind(2, join(k.grid, ';'))
          .bind(3, formatConfig(k.fixedConfig))
          .bind(4, join(space, ';'))
          .bind(5, k.tuneWhere)
          .bind(6, join(k.tuneKey, ','))
          .bind(7, k.sourceHash)
          .step();
      for (size_t i = 0; i < k.params.size(); ++i) {
        const ParamInfo &p = k.params[i];
        param.reset()
            .bind(1, k.name)
            .bind(2, static_cast<int64_t>(i))
            .bind(3, p.name)
            .bind(4, kindName(p.kind))
            .bind(5, dtypeName(p.type))
            .bind(6, p.defaultExpr)
            .step();
      }
      for (const VariantInfo &v : k.variants) {
        variant.reset()
            .bind(1, k.name)
            .bind(2, formatConfig(v.config))
            .bind(3, v.specialization)
            .bind(4, v.entry)
            .bind(5, v.numWarps)
            .bind(6, v.numStages)
            .bind(7, static_cast<int64_t>(v.sharedBytes))
            .bind(8, ptxId(v.ptx))
            .step();
        int64_t id = db.lastInsertRowid();
        for (const BinaryInfo &b : v.binaries)
          binary.reset()
              .bind(1, id)
              .bind(2, b.arch)
              .bind(3, cubinId(b.cubin))
              .bind(4, b.registers)
              .bind(5, b.spillBytes)
              .bind(6, b.stackBytes)
              .step();
      }
    }
    db.exec("COMMIT;");
  }
  if (!file.commit(error))
    throw Error("cannot write bundle: " + error);
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {

/// Reads one bundle, throwing Error with the file named.
class BundleReader {
public:
  explicit BundleReader(const std::string &path)
      : path(path), db(checked(openFile(path), path)) {}
  /// A bundle held in memory (an embedded array); `name` names it.
  BundleReader(const void *bytes, size_t size, const std::string &name)
      : path(name), db(checked(openMemory(bytes, size, name), name)) {}

  BundleContents read() {
    int version = checkFormat();
    BundleContents contents;
    contents.producer = metaValue("producer");
    std::map<std::string, size_t> kernelIndex;
    SqliteStmt kernels =
        db.prepare("SELECT name, grid, fixed_config, tune_space, tune_where, "
                   "tune_key, source_hash FROM kernels ORDER BY rowid");
    while (kernels.step()) {
      KernelInfo k;
      k.name = kernels.text(0);
      k.grid = split(kernels.text(1), ';');
      if (k.grid.size() > 3)
        fail("kernel '" + k.name + "' has " + std::to_string(k.grid.size()) +
             " grid expressions; at most 3");
      k.fixedConfig = config(kernels.text(2), k.name);
      for (const std::string &axis : split(kernels.text(3), ';')) {
        size_t eq = axis.find('=');
        if (eq == std::string::npos)
          fail("kernel '" + k.name + "' has a malformed tune space '" +
               kernels.text(3) + "'");
        std::vector<int64_t> values;
        for (const std::string &text : split(axis.substr(eq + 1), '|')) {
          int64_t value;
          if (!parseInt(text, value))
            fail("kernel '" + k.name + "' has a malformed tune space '" +
                 kernels.text(3) + "'");
          values.push_back(value);
        }
        k.tuneSpace.emplace_back(axis.substr(0, eq), std::move(values));
      }
      k.tuneWhere = kernels.text(4);
      k.tuneKey = split(kernels.text(5), ',');
      k.sourceHash = kernels.text(6);
      kernelIndex[k.name] = contents.kernels.size();
      contents.kernels.push_back(std::move(k));
    }

    SqliteStmt params = db.prepare("SELECT kernel, position, name, kind, "
                                   "dtype, default_expr FROM params "
                                   "ORDER BY kernel, position");
    while (params.step()) {
      KernelInfo &k = kernelOf(contents, kernelIndex, params.text(0));
      if (params.integer(1) != static_cast<int64_t>(k.params.size()))
        fail("kernel '" + k.name + "' has a gap in its parameter positions");
      ParamInfo p;
      p.name = params.text(2);
      std::string kind = params.text(3);
      p.kind = kind == "pointer"  ? ParamInfo::Kind::Pointer
               : kind == "scalar" ? ParamInfo::Kind::Scalar
                                  : ParamInfo::Kind::Constexpr;
      std::optional<DType> type = parseDType(params.text(4));
      if (!type)
        fail("parameter '" + p.name + "' of kernel '" + k.name +
             "' has an unknown type '" + params.text(4) + "'");
      p.type = *type;
      p.defaultExpr = params.text(5);
      k.params.push_back(std::move(p));
    }

    // Each blob with whether its bytes still match their checksum (format 2
    // has none: it cannot be checked).
    bool checksums = version >= 3;
    std::string checksum = checksums ? "checksum" : "''";
    std::map<int64_t, std::pair<std::string, bool>> ptxById;
    SqliteStmt ptx = db.prepare("SELECT id, text, " + checksum + " FROM ptx");
    while (ptx.step()) {
      std::string text = ptx.text(1);
      bool intact =
          !checksums || blobChecksum(text.data(), text.size()) == ptx.text(2);
      ptxById[ptx.integer(0)] = {std::move(text), intact};
    }
    std::map<int64_t, std::pair<std::vector<uint8_t>, bool>> cubinById;
    SqliteStmt cubins =
        db.prepare("SELECT id, data, " + checksum + " FROM cubins");
    while (cubins.step()) {
      std::vector<uint8_t> data = cubins.blob(1);
      bool intact = !checksums ||
                    blobChecksum(data.data(), data.size()) == cubins.text(2);
      cubinById[cubins.integer(0)] = {std::move(data), intact};
    }

    // variant id -> (kernel index, variant index)
    std::map<int64_t, std::pair<size_t, size_t>> variantById;
    SqliteStmt variants = db.prepare(
        "SELECT id, kernel, config, specialization, entry, num_warps, "
        "num_stages, shared_bytes, ptx_id FROM variants ORDER BY id");
    while (variants.step()) {
      KernelInfo &k = kernelOf(contents, kernelIndex, variants.text(1));
      VariantInfo v;
      v.config = config(variants.text(2), k.name);
      v.specialization = variants.text(3);
      v.entry = variants.text(4);
      v.numWarps = static_cast<int>(variants.integer(5));
      v.numStages = static_cast<int>(variants.integer(6));
      int64_t shared = variants.integer(7);
      if (v.numWarps < 1 || v.numWarps > 32 || shared < 0 ||
          shared > UINT32_MAX)
        fail("variant " + variants.text(2) + " of kernel '" + k.name +
             "' has out-of-range num_warps or shared_bytes");
      v.sharedBytes = static_cast<uint32_t>(shared);
      auto code = ptxById.find(variants.integer(8));
      if (code == ptxById.end())
        fail("variant " + variants.text(2) + " of kernel '" + k.name +
             "' refers to PTX " + std::to_string(variants.integer(8)) +
             ", which the bundle lacks");
      if (!code->second.second)
        fail("the PTX of variant " + variants.text(2) +
             (variants.text(3).empty() ? "" : " [" + variants.text(3) + "]") +
             " of kernel '" + k.name + "' (PTX " +
             std::to_string(variants.integer(8)) +
             ") is corrupt: its bytes do not match the checksum stored with "
             "them; rebuild the bundle");
      v.ptx = code->second.first;
      variantById[variants.integer(0)] = {kernelIndex[k.name],
                                          k.variants.size()};
      k.variants.push_back(std::move(v));
    }
    SqliteStmt binaries =
        db.prepare("SELECT variant, arch, cubin_id, registers, spill_bytes, "
                   "stack_bytes FROM binaries ORDER BY variant, arch");
    while (binaries.step()) {
      auto it = variantById.find(binaries.integer(0));
      if (it == variantById.end())
        fail("a binary belongs to no variant (id " +
             std::to_string(binaries.integer(0)) + ")");
      BinaryInfo b;
      b.arch = binaries.text(1);
      auto cubin = cubinById.find(binaries.integer(2));
      if (cubin == cubinById.end())
        fail("a binary refers to cubin " + std::to_string(binaries.integer(2)) +
             ", which the bundle lacks");
      auto [kernel, variant] = it->second;
      const VariantInfo &owner = contents.kernels[kernel].variants[variant];
      if (!cubin->second.second)
        fail("the " + b.arch + " cubin of variant " +
             formatConfig(owner.config) +
             (owner.specialization.empty()
                  ? ""
                  : " [" + owner.specialization + "]") +
             " of kernel '" + contents.kernels[kernel].name + "' (cubin " +
             std::to_string(binaries.integer(2)) +
             ") is corrupt: its bytes do not match the checksum stored with "
             "them; rebuild the bundle");
      b.cubin = cubin->second.first;
      b.registers = static_cast<int>(binaries.integer(3));
      b.spillBytes = static_cast<int>(binaries.integer(4));
      b.stackBytes = static_cast<int>(binaries.integer(5));
      contents.kernels[kernel].variants[variant].binaries.push_back(
          std::move(b));
    }
    for (const KernelInfo &k : contents.kernels)
      if (k.variants.empty())
        fail("kernel '" + k.name + "' has no compiled variant");
    return contents;
  }

private:
  std::string path;
  SqliteDb db;

  [[noreturn]] void fail(const std::string &message) const {
    throw Error("bundle '" + path + "': " + message);
  }

  static SqliteDb openFile(const std::string &path) {
    struct stat info;
    if (::stat(path.c_str(), &info) != 0)
      throw Error("bundle '" + path + "': no such file");
    if (!S_ISREG(info.st_mode))
      throw Error("bundle '" + path + "': not a regular file");
    // Every blob is read and checked on load: no file larger than memory.
    if (static_cast<uint64_t>(info.st_size) > kdsl::kMaxBundleBytes)
      throw Error("bundle '" + path + "': is " + std::to_string(info.st_size) +
                  " bytes; a bundle may hold at most " +
                  std::to_string(kdsl::kMaxBundleBytes >> 30) + " GiB");
    // A bundle is never written once made, so it is read as immutable: a
    // copy someone switched to WAL still reads in a read-only directory
    // (a plain read would need to create its -shm file there). Only a
    // -wal file with data in it must be read through.
    struct stat wal;
    bool walData =
        ::stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
    if (walData)
      return SqliteDb(path, SQLITE_OPEN_READONLY, "bundle '" + path + "'");
    return SqliteDb(immutableUri(path), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                    "bundle '" + path + "'");
  }

  static SqliteDb openMemory(const void *bytes, size_t size,
                             const std::string &name) {
    SqliteDb db(":memory:", SQLITE_OPEN_READWRITE, "bundle '" + name + "'");
    auto *copy =
        static_cast<unsigned char *>(sqlite3_malloc64(size ? size : 1));
    if (!copy)
      throw Error("bundle '" + name + "': out of memory");
    std::memcpy(copy, bytes, size);
    if (sqlite3_deserialize(db.handle(), "main", copy, size, size,
                            SQLITE_DESERIALIZE_FREEONCLOSE |
                                SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
      throw Error("bundle '" + name + "': not an SQLite database");
    return db;
  }

  static SqliteDb checked(SqliteDb db, const std::string &path) {
    // A truncated or damaged file must not read as a smaller bundle.
    SqliteStmt check = db.prepare("PRAGMA quick_check");
    if (!check.step() || check.text(0) != "ok")
      throw Error("bundle '" + path + "': the file is corrupt (" +
                  (check.isNull(0) ? std::string("no result") : check.text(0)) +
                  ")");
    return db;
  }

  std::string metaValue(const std::string &key) {
    SqliteStmt stmt = db.prepare("SELECT value FROM meta WHERE key = ?");
    stmt.bind(1, key);
    return stmt.step() ? stmt.text(0) : std::string();
  }

  /// Checks that this is a bundle of a version this library reads and
  /// returns the version.
  int checkFormat() {
    auto hasTable = [&](const char *name) {
      SqliteStmt table = db.prepare("SELECT count(*) FROM sqlite_master "
                                    "WHERE type = 'table' AND name = ?");
      table.bind(1, name);
      return table.step() && table.integer(0) == 1;
    };
    if (!hasTable("meta") || metaValue("format") != "kdsl-kpack")
      fail("not a kdsl bundle (an SQLite database without kdsl's tables)");
    std::string text = metaValue("format_version");
    int64_t version = 0;
    if (!parseInt(text, version) || version < kOldestBundleFormatVersion ||
        version > kBundleFormatVersion)
      fail("format version " + text +
           " is not supported; this runtime reads versions " +
           std::to_string(kOldestBundleFormatVersion) + " to " +
           std::to_string(kBundleFormatVersion) +
           " (rebuild the bundle with a matching kdslc)");
    for (const char *table : kTables)
      if (!hasTable(table))
        fail(std::string("not a kdsl bundle (no table '") + table + "')");
    return static_cast<int>(version);
  }

  ConfigEntries config(const std::string &text, const std::string &kernel) {
    try {
      return parseConfig(text);
    } catch (const Error &error) {
      fail("kernel '" + kernel + "': " + error.what());
    }
  }

  KernelInfo &kernelOf(BundleContents &contents,
                       const std::map<std::string, size_t> &index,
                       const std::string &name) {
    auto it = index.find(name);
    if (it == index.end())
      fail("a row names kernel '" + name + "', which the bundle lacks");
    return contents.kernels[it->second];
  }
};

} // namespace

BundleContents kdsl::rt::readBundle(const std::string &path) {
  return BundleReader(path).read();
}

BundleContents kdsl::rt::readBundle(const void *bytes, size_t size,
                                    const std::string &name) {
  return BundleReader(bytes, size, name).read();
}
