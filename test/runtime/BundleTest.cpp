//===- BundleTest.cpp - Writing, reading and rejecting .kpack files -------===//

#include "TestBundles.h"

#include <fstream>
#include <sqlite3.h>
#include <sys/stat.h>

using namespace kdsl::rt;
using namespace kdsl::rt::test;

namespace {

std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

void sql(const std::string &path, const std::string &statement) {
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char *message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &message),
            SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

TEST(BundleTest, RoundTripKeepsEverything) {
  TempDir dir;
  BundleContents written = sampleBundle();
  written.kernels[0].variants[1].sharedBytes = 65536;
  written.kernels[0].variants[1].binaries.push_back(
      {"sm_80", {1, 2, 3, 0, 255}, 40, 8, 16});
  writeBundle(dir.file("k.kpack"), written);
  BundleContents read = readBundle(dir.file("k.kpack"));

  EXPECT_EQ(read.producer, "runtime tests");
  ASSERT_EQ(read.kernels.size(), 2u);
  const KernelInfo &add = read.kernels[0];
  EXPECT_EQ(add.name, "vector_add");
  ASSERT_EQ(add.params.size(), 5u);
  EXPECT_EQ(add.params[0].kind, ParamInfo::Kind::Pointer);
  EXPECT_EQ(add.params[0].type, DType::F32);
  EXPECT_EQ(add.params[4].kind, ParamInfo::Kind::Constexpr);
  EXPECT_EQ(add.grid, std::vector<std::string>{"cdiv(n, BLOCK)"});
  ASSERT_EQ(add.tuneSpace.size(), 2u);
  EXPECT_EQ(add.tuneSpace[0].second, (std::vector<int64_t>{256, 1024}));
  EXPECT_EQ(add.tuneWhere, "BLOCK / num_warps >= 128");
  EXPECT_EQ(add.tuneKey, std::vector<std::string>{"n"});
  EXPECT_EQ(add.sourceHash, "0123abcd");
  ASSERT_EQ(add.variants.size(), 3u);
  EXPECT_EQ(formatConfig(add.variants[1].config),
            "BLOCK=1024,num_warps=4,num_stages=2");
  EXPECT_EQ(add.variants[1].sharedBytes, 65536u);
  EXPECT_EQ(add.variants[2].specialization, "x:align16,y:align16,out:align16");
  ASSERT_EQ(add.variants[1].binaries.size(), 2u);
  const BinaryInfo &sm80 = add.variants[1].binaries[0];
  EXPECT_EQ(sm80.arch, "sm_80");
  EXPECT_EQ(sm80.cubin, (std::vector<uint8_t>{1, 2, 3, 0, 255}));
  EXPECT_EQ(sm80.registers, 40);
  EXPECT_EQ(sm80.spillBytes, 8);
  EXPECT_EQ(read.kernels[1].params[5].defaultExpr, "next_pow2(n_cols)");
  EXPECT_EQ(formatConfig(read.kernels[1].fixedConfig), "num_warps=8");
}

TEST(BundleTest, MissingFile) {
  EXPECT_RT_ERROR(readBundle("/nonexistent/k.kpack"),
                  "bundle '/nonexistent/k.kpack': no such file");
}

TEST(BundleTest, NotAnSqliteFile) {
  TempDir dir;
  std::ofstream(dir.file("k.kpack")) << "kernel vector_add() {}\n";
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "the file is corrupt or not an SQLite database");
}

TEST(BundleTest, ForeignSqliteDatabase) {
  TempDir dir;
  sql(dir.file("k.kpack"), "CREATE TABLE songs(title TEXT);");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")), "not a kdsl bundle");
}

TEST(BundleTest, OtherFormatVersion) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"),
      "UPDATE meta SET value = '1' WHERE key = 'format_version';");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "format version 1 is not supported; this runtime reads "
                  "versions 2 to 3 (rebuild the bundle with a matching kdslc)");
}

// Every PTX module and cubin carries a checksum, checked on load: a flipped
// digit is reported with the variant that uses it, not run.
TEST(BundleTest, CorruptBlobsAreFoundOnLoad) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  EXPECT_NO_THROW(readBundle(dir.file("k.kpack")));
  // One character of one PTX module.
  sql(dir.file("k.kpack"),
      "UPDATE ptx SET text = substr(text, 1, 10) || "
      "(CASE substr(text, 11, 1) WHEN '1' THEN '2' ELSE '1' END) || "
      "substr(text, 12) WHERE id = 1;");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "(PTX 1) is corrupt: its bytes do not match the checksum "
                  "stored with them; rebuild the bundle");
  // One byte of one cubin.
  writeBundle(dir.file("c.kpack"), sampleBundle());
  sql(dir.file("c.kpack"), "UPDATE cubins SET data = zeroblob(length(data)) "
                           "WHERE id = 1;");
  EXPECT_RT_ERROR(readBundle(dir.file("c.kpack")), "cubin of variant BLOCK=");
  EXPECT_RT_ERROR(readBundle(dir.file("c.kpack")),
                  "(cubin 1) is corrupt: its bytes do not match the checksum");
  // A bundle of format 2 has no checksums to check, and still loads.
  writeBundle(dir.file("old.kpack"), sampleBundle());
  sql(dir.file("old.kpack"),
      "UPDATE meta SET value = '2' WHERE key = 'format_version';"
      "ALTER TABLE ptx DROP COLUMN checksum;"
      "ALTER TABLE cubins DROP COLUMN checksum;");
  EXPECT_NO_THROW(readBundle(dir.file("old.kpack")));
}

// Variants that compiled to the same code (num_stages with no loop, say)
// share one row of `ptx` and one of `cubins`.
TEST(BundleTest, IdenticalCodeIsStoredOnce) {
  TempDir dir;
  BundleContents written = sampleBundle();
  for (VariantInfo &v : written.kernels[0].variants) {
    v.ptx = "// the same PTX";
    v.binaries = {{"sm_80", {1, 2, 3}, 32, 0, 0},
                  {"sm_90a", {4, 5, 6}, 30, 0, 0}};
  }
  writeBundle(dir.file("k.kpack"), written);
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("k.kpack").c_str(), &db), SQLITE_OK);
  auto count = [&](const char *query) {
    sqlite3_stmt *stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, query, -1, &stmt, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    int n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
  };
  // vector_add's three variants share one PTX and two cubins; row_sum's two
  // variants (fakeVariant's) share another PTX and cubin.
  EXPECT_EQ(count("SELECT count(*) FROM ptx"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM cubins"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM binaries"), 8);
  sqlite3_close(db);

  BundleContents read = readBundle(dir.file("k.kpack"));
  ASSERT_EQ(read.kernels[0].variants.size(), 3u);
  for (const VariantInfo &v : read.kernels[0].variants) {
    EXPECT_EQ(v.ptx, "// the same PTX");
    ASSERT_EQ(v.binaries.size(), 2u);
    EXPECT_EQ(v.binaries[1].cubin, (std::vector<uint8_t>{4, 5, 6}));
    EXPECT_EQ(v.binaries[1].registers, 30);
  }
  EXPECT_EQ(read.kernels[1].variants[1].ptx,
            written.kernels[1].variants[1].ptx);
}

TEST(BundleTest, TruncatedFile) {
  TempDir dir;
  BundleContents contents = sampleBundle();
  // Large enough to span many pages.
  contents.kernels[0].variants[0].ptx = std::string(200000, 'p');
  writeBundle(dir.file("k.kpack"), contents);
  struct stat info;
  ASSERT_EQ(::stat(dir.file("k.kpack").c_str(), &info), 0);
  ASSERT_EQ(::truncate(dir.file("k.kpack").c_str(), info.st_size / 2), 0);
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")), "corrupt");
}

TEST(BundleTest, BadRowsAreErrors) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"),
      "UPDATE params SET dtype = 'f128' WHERE name = 'x' AND "
      "kernel = 'vector_add';");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "parameter 'x' of kernel 'vector_add' has an unknown type "
                  "'f128'");
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"),
      "UPDATE variants SET config = 'BLOCK=big' WHERE id = 1;");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "config entry 'BLOCK=big' must be NAME=INTEGER");
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"),
      "DELETE FROM binaries WHERE variant IN (SELECT id FROM variants WHERE "
      "kernel = 'row_sum'); DELETE FROM variants WHERE kernel = 'row_sum';");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "kernel 'row_sum' has no compiled variant");
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"), "UPDATE variants SET ptx_id = 99 WHERE id = 2;");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "variant BLOCK=1024,num_warps=4,num_stages=2 of kernel "
                  "'vector_add' refers to PTX 99, which the bundle lacks");
  BundleContents withCubin = sampleBundle();
  withCubin.kernels[0].variants[0].binaries = {{"sm_90a", {1}, 8, 0, 0}};
  writeBundle(dir.file("k.kpack"), withCubin);
  sql(dir.file("k.kpack"), "DELETE FROM cubins;");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "a binary refers to cubin 1, which the bundle lacks");
  writeBundle(dir.file("k.kpack"), sampleBundle());
  sql(dir.file("k.kpack"), "DROP TABLE cubins;");
  EXPECT_RT_ERROR(readBundle(dir.file("k.kpack")),
                  "not a kdsl bundle (no table 'cubins')");
}

TEST(BundleTest, FailedWriteLeavesTheOldFile) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  std::string before = readAll(dir.file("k.kpack"));
  BundleContents duplicate = sampleBundle();
  duplicate.kernels.push_back(duplicate.kernels[0]); // same name twice
  EXPECT_RT_ERROR(writeBundle(dir.file("k.kpack"), duplicate),
                  "UNIQUE constraint failed");
  EXPECT_EQ(readAll(dir.file("k.kpack")), before);
  // No temporary file is left behind.
  EXPECT_EQ(
      std::system(("test $(ls '" + dir.path + "' | wc -l) -eq 1").c_str()), 0);
}

TEST(BundleTest, UnwritableDirectory) {
  EXPECT_RT_ERROR(writeBundle("/nonexistent/dir/k.kpack", sampleBundle()),
                  "cannot write bundle: /nonexistent/dir/k.kpack: cannot "
                  "write: its directory '/nonexistent/dir' does not exist");
}

TEST(BundleTest, OpenListsKernels) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  Bundle bundle = Bundle::open(dir.file("k.kpack"));
  EXPECT_EQ(bundle.kernelNames(),
            (std::vector<std::string>{"vector_add", "row_sum"}));
  EXPECT_EQ(bundle.kernel("row_sum").signature(),
            "row_sum(x: *f16, out: *f32, n_rows: i32, n_cols: i32, eps: f32, "
            "BLOCK: const i32 = next_pow2(n_cols))");
  EXPECT_EQ(bundle.kernel("row_sum").numArgs(), 5u);
  EXPECT_RT_ERROR(bundle.kernel("softmax"),
                  "has no kernel 'softmax' (it holds: vector_add, row_sum)");
}

} // namespace

namespace {

TEST(BundleTest, FromMemory) {
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  std::ifstream in(dir.file("k.kpack"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  BundleContents read = readBundle(bytes.data(), bytes.size(), "embedded");
  ASSERT_EQ(read.kernels.size(), 2u);
  EXPECT_EQ(read.kernels[0].variants.size(), 3u);
  Bundle bundle = Bundle::fromMemory(bytes.data(), bytes.size(), "embedded");
  EXPECT_EQ(bundle.kernel("row_sum").numArgs(), 5u);
  std::string half = bytes.substr(0, bytes.size() / 2);
  EXPECT_RT_ERROR(readBundle(half.data(), half.size(), "embedded"),
                  "bundle 'embedded': ");
  std::string text = "not a database at all, just some bytes of text";
  EXPECT_RT_ERROR(readBundle(text.data(), text.size(), "embedded"),
                  "bundle 'embedded': the file is corrupt or not an SQLite "
                  "database");
}

} // namespace
