//===- NpyTest.cpp - Tests for the .npy reader and writer -----------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace kdsl;

namespace {

const NpyDType kAllDTypes[] = {NpyDType::Bool, NpyDType::I8,  NpyDType::I16,
                               NpyDType::I32,  NpyDType::I64, NpyDType::F16,
                               NpyDType::F32,  NpyDType::F64, NpyDType::U16};

/// An array of `dtype` and `shape` whose bytes follow a simple pattern (0/1
/// for bool).
NpyArray makeArray(NpyDType dtype, std::vector<int64_t> shape) {
  NpyArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  size_t bytes = static_cast<size_t>(array.numElements()) * npyItemSize(dtype);
  for (size_t i = 0; i < bytes; ++i)
    array.data.push_back(dtype == NpyDType::Bool
                             ? static_cast<uint8_t>(i % 3 == 0)
                             : static_cast<uint8_t>(i * 37 + 11));
  return array;
}

std::vector<uint8_t> bytesOf(const std::string &s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

/// A file image with format version `major`.0 and `header` verbatim (no
/// padding added), followed by `data`.
std::vector<uint8_t> rawFile(unsigned major, const std::string &header,
                             const std::vector<uint8_t> &data = {}) {
  std::vector<uint8_t> file = bytesOf(std::string("\x93NUMPY", 6));
  file.push_back(static_cast<uint8_t>(major));
  file.push_back(0);
  size_t lengthBytes = major == 1 ? 2 : 4;
  for (size_t i = 0; i < lengthBytes; ++i)
    file.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  file.insert(file.end(), header.begin(), header.end());
  file.insert(file.end(), data.begin(), data.end());
  return file;
}

/// Like rawFile, but pads `dict` with spaces and a '\n' so that the
/// preamble is a multiple of 64 bytes, as the spec asks.
std::vector<uint8_t> paddedFile(unsigned major, std::string dict,
                                const std::vector<uint8_t> &data = {}) {
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64 != 0)
    dict += ' ';
  return rawFile(major, dict + "\n", data);
}

std::string dict(const std::string &descr, const std::string &shape,
                 const std::string &fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran +
         ", 'shape': " + shape + ", }";
}

/// Parses `file` as "bad.npy" and expects one error that names the file and
/// contains `expected`; also checks that the output array is untouched.
void expectError(const std::vector<uint8_t> &file,
                 const std::string &expected) {
  NpyArray out = makeArray(NpyDType::I16, {3});
  NpyArray before = out;
  std::string error;
  EXPECT_FALSE(parseNpy("bad.npy", file.data(), file.size(), out, error));
  EXPECT_EQ(error.rfind("bad.npy: ", 0), 0u) << error;
  EXPECT_NE(error.find(expected), std::string::npos)
      << "error: " << error << "\nexpected to contain: " << expected;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(out.dtype, before.dtype);
  EXPECT_EQ(out.shape, before.shape);
  EXPECT_EQ(out.data, before.data);
}

/// Parses `file` and expects success.
NpyArray expectParse(const std::vector<uint8_t> &file) {
  NpyArray out;
  std::string error;
  EXPECT_TRUE(parseNpy("good.npy", file.data(), file.size(), out, error))
      << error;
  return out;
}

/// A fresh, empty directory for file tests.
std::filesystem::path freshDir(const std::string &name) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("kdsl-npy-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<std::string> listDir(const std::filesystem::path &dir) {
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  return names;
}

TEST(NpyTest, DTypeNamesAndSizes) {
  const char *names[] = {"bool", "i8",  "i16", "i32", "i64",
                         "f16",  "f32", "f64", "u16"};
  size_t sizes[] = {1, 1, 2, 4, 8, 2, 4, 8, 2};
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_STREQ(npyDTypeName(kAllDTypes[i]), names[i]);
    EXPECT_EQ(npyItemSize(kAllDTypes[i]), sizes[i]);
  }
  EXPECT_STREQ(npyDTypeName(static_cast<NpyDType>(99)), "unknown");
  EXPECT_EQ(npyItemSize(static_cast<NpyDType>(99)), 0u);
}

TEST(NpyTest, NumElements) {
  NpyArray a;
  EXPECT_EQ(a.numElements(), 1); // 0-d
  a.shape = {0};
  EXPECT_EQ(a.numElements(), 0);
  a.shape = {2, 3, 4};
  EXPECT_EQ(a.numElements(), 24);
  a.shape = {2, -1};
  EXPECT_EQ(a.numElements(), -1);
  a.shape = {int64_t(1) << 32, int64_t(1) << 32};
  EXPECT_EQ(a.numElements(), -1);
  a.shape = {0, int64_t(1) << 40};
  EXPECT_EQ(a.numElements(), 0);
}

TEST(NpyTest, RoundTripEveryDTypeAndShape) {
  std::vector<std::vector<int64_t>> shapes = {{}, {0}, {7}, {2, 3, 4}};
  for (NpyDType dtype : kAllDTypes) {
    for (const std::vector<int64_t> &shape : shapes) {
      SCOPED_TRACE(std::string(npyDTypeName(dtype)) + " rank " +
                   std::to_string(shape.size()));
      NpyArray array = makeArray(dtype, shape);
      std::vector<uint8_t> file = serializeNpy(array);
      ASSERT_FALSE(file.empty());
      // Version 1.0, preamble a multiple of 64 bytes ending in '\n'.
      EXPECT_EQ(file[6], 1);
      EXPECT_EQ(file[7], 0);
      size_t headerLength = file[8] | (size_t(file[9]) << 8);
      EXPECT_EQ((10 + headerLength) % 64, 0u);
      EXPECT_EQ(file[10 + headerLength - 1], '\n');
      EXPECT_EQ(file.size(), 10 + headerLength + array.data.size());

      NpyArray back = expectParse(file);
      EXPECT_EQ(back.dtype, dtype);
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.data, array.data);
    }
  }
}

TEST(NpyTest, ExactBytesOfSmallF32File) {
  NpyArray array;
  array.dtype = NpyDType::F32;
  array.shape = {2};
  float values[] = {1.0f, 2.0f};
  array.data.resize(8);
  std::memcpy(array.data.data(), values, 8);

  // 57 bytes of dict; with the '\n' the preamble needs padding to 128 bytes,
  // so the header length is 118 = 0x76.
  std::string header = "{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (2,), }";
  ASSERT_EQ(header.size(), 57u);
  header.append(118 - 1 - header.size(), ' ');
  header += '\n';
  std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + header +
                         std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8);
  ASSERT_EQ(expected.size(), 136u);
  EXPECT_EQ(serializeNpy(array), bytesOf(expected));
}

TEST(NpyTest, ExactHeaderOfZeroDAndMultiDim) {
  // A 0-d array has no growth padding; its shape is (). 55 bytes of dict
  // and the '\n' need padding to 128 bytes.
  std::vector<uint8_t> scalar = serializeNpy(makeArray(NpyDType::I64, {}));
  ASSERT_EQ(scalar.size(), 128u + 8u);
  EXPECT_EQ(scalar[8], 118);
  std::string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
  ASSERT_EQ(dict.size(), 55u);
  EXPECT_EQ(std::string(scalar.begin() + 10, scalar.begin() + 128),
            dict + std::string(118 - 55 - 1, ' ') + "\n");

  std::vector<uint8_t> cube = serializeNpy(makeArray(NpyDType::Bool, {2, 3}));
  std::string cubeText(cube.begin() + 10, cube.end() - 6);
  EXPECT_EQ(cubeText.rfind("{'descr': '|b1', 'fortran_order': False, "
                           "'shape': (2, 3), }",
                           0),
            0u);
  EXPECT_EQ(cube.size(), 128u + 6u);
}

TEST(NpyTest, WriterSwitchesToVersion2ForHugeHeaders) {
  // 22000 dimensions of 1 make a header over 65535 bytes.
  NpyArray array = makeArray(NpyDType::F64, std::vector<int64_t>(22000, 1));
  std::vector<uint8_t> file = serializeNpy(array);
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(file[6], 2);
  size_t headerLength = file[8] | (size_t(file[9]) << 8) |
                        (size_t(file[10]) << 16) | (size_t(file[11]) << 24);
  EXPECT_GT(headerLength, 65535u);
  EXPECT_EQ((12 + headerLength) % 64, 0u);
  NpyArray back = expectParse(file);
  EXPECT_EQ(back.shape.size(), 22000u);
  EXPECT_EQ(back.data, array.data);
}

TEST(NpyTest, ReadsVersion2Header) {
  std::vector<uint8_t> data = {1, 0, 2, 0, 3, 0};
  NpyArray out = expectParse(paddedFile(2, dict("<i2", "(3,)"), data));
  EXPECT_EQ(out.dtype, NpyDType::I16);
  EXPECT_EQ(out.shape, std::vector<int64_t>{3});
  EXPECT_EQ(out.data, data);
}

TEST(NpyTest, ReadsVersion3Header) {
  std::vector<uint8_t> data(2 * 2 * 2, 0x3c);
  NpyArray out = expectParse(paddedFile(3, dict("<f2", "(2, 2)"), data));
  EXPECT_EQ(out.dtype, NpyDType::F16);
  EXPECT_EQ(out.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(out.data, data);
}

TEST(NpyTest, AcceptsByteOrderVariants) {
  struct Case {
    const char *descr;
    NpyDType dtype;
  } cases[] = {{"|b1", NpyDType::Bool}, {"<b1", NpyDType::Bool},
               {"|i1", NpyDType::I8},   {"<i1", NpyDType::I8},
               {"=i1", NpyDType::I8},   {">i1", NpyDType::I8},
               {"=f4", NpyDType::F32},  {"<u2", NpyDType::U16},
               {"=i8", NpyDType::I64},  {"f8", NpyDType::F64}};
  for (const Case &c : cases) {
    SCOPED_TRACE(c.descr);
    std::vector<uint8_t> data(2 * npyItemSize(c.dtype), 1);
    NpyArray out = expectParse(paddedFile(1, dict(c.descr, "(2,)"), data));
    EXPECT_EQ(out.dtype, c.dtype);
  }
}

TEST(NpyTest, AcceptsLenientHeaders) {
  std::vector<uint8_t> data(12, 7);
  // Keys in another order, double quotes, odd spacing, no trailing comma,
  // a Python 2 long, no padding to 64 bytes and no final '\n'.
  for (const char *header :
       {"{\"shape\": (3L,), \"fortran_order\": False, \"descr\": \"<f4\"}",
        "{'descr':'<f4','fortran_order':False,'shape':( 3 , )}   \n",
        "  {'descr': '<i4', 'fortran_order': False, 'shape': (3,),}\n"}) {
    SCOPED_TRACE(header);
    NpyArray out = expectParse(rawFile(1, header, data));
    EXPECT_EQ(out.shape, std::vector<int64_t>{3});
  }
  // An old-style preamble aligned to 16 bytes.
  std::string old = dict("<i2", "(6,)");
  while ((10 + old.size() + 1) % 16 != 0)
    old += ' ';
  NpyArray out = expectParse(rawFile(1, old + "\n", data));
  EXPECT_EQ(out.shape, std::vector<int64_t>{6});
}

TEST(NpyTest, WriteAndReadFile) {
  std::filesystem::path dir = freshDir("write");
  std::string path = (dir / "a.npy").string();
  NpyArray array = makeArray(NpyDType::I32, {4, 5});
  std::string error;
  ASSERT_TRUE(writeNpy(path, array, error)) << error;
  // Overwriting works too and leaves no temporary file behind.
  array.data[0] ^= 0xff;
  ASSERT_TRUE(writeNpy(path, array, error)) << error;
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"a.npy"});

  NpyArray back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.dtype, NpyDType::I32);
  EXPECT_EQ(back.shape, (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(back.data, array.data);

  // A file larger than readNpy's first read.
  NpyArray big = makeArray(NpyDType::F64, {300, 100});
  ASSERT_TRUE(writeNpy(path, big, error)) << error;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.data, big.data);
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, WriteFailureLeavesNoFile) {
  std::filesystem::path dir = freshDir("writefail");
  std::string error;
  std::string path = (dir / "missing" / "a.npy").string();
  EXPECT_FALSE(writeNpy(path, makeArray(NpyDType::F32, {2}), error));
  EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
  EXPECT_NE(error.find("its directory"), std::string::npos) << error;

  // A directory is not replaced; no temporary file is left.
  std::filesystem::create_directory(dir / "taken.npy");
  path = (dir / "taken.npy").string();
  EXPECT_FALSE(writeNpy(path, makeArray(NpyDType::F32, {2}), error));
  EXPECT_NE(error.find("is a directory; kdsl writes only regular files"),
            std::string::npos)
      << error;
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"taken.npy"});
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, InconsistentArrayIsNotWritten) {
  NpyArray array = makeArray(NpyDType::F32, {2, 3});
  array.data.pop_back();
  EXPECT_TRUE(serializeNpy(array).empty());
  std::filesystem::path dir = freshDir("inconsistent");
  std::string path = (dir / "a.npy").string();
  std::string error;
  EXPECT_FALSE(writeNpy(path, array, error));
  EXPECT_NE(error.find("23 bytes but shape (2, 3) of f32 needs 24"),
            std::string::npos)
      << error;
  array.shape = {-1};
  EXPECT_TRUE(serializeNpy(array).empty());
  EXPECT_FALSE(writeNpy(path, array, error));
  EXPECT_NE(error.find("negative dimension"), std::string::npos) << error;
  EXPECT_TRUE(listDir(dir).empty());
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, MissingFile) {
  NpyArray out;
  std::string error;
  EXPECT_FALSE(readNpy("/nonexistent/kdsl/x.npy", out, error));
  EXPECT_EQ(error, "/nonexistent/kdsl/x.npy: cannot open: No such file or "
                   "directory");
}

TEST(NpyTest, DirectoryIsAReadError) {
  std::filesystem::path dir = freshDir("dir");
  NpyArray out;
  std::string error;
  EXPECT_FALSE(readNpy(dir.string(), out, error));
  EXPECT_EQ(error.rfind(dir.string() + ": ", 0), 0u) << error;
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, ReadFileErrorNamesFile) {
  std::filesystem::path dir = freshDir("readerr");
  std::string path = (dir / "t.npy").string();
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::F32, {4}));
  file.pop_back();
  std::FILE *f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(file.data(), 1, file.size(), f);
  std::fclose(f);
  NpyArray out;
  std::string error;
  EXPECT_FALSE(readNpy(path, out, error));
  EXPECT_EQ(error, path + ": truncated data: shape (4,) of f32 needs 16 "
                          "bytes of data but the file has only 15 bytes "
                          "after the header");
  std::filesystem::remove_all(dir);
}

TEST(NpyTest, ErrorEmptyFile) { expectError({}, "empty"); }

TEST(NpyTest, ErrorBadMagic) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::F32, {2}));
  file[1] = 'X';
  expectError(file, "bad magic");
  expectError(bytesOf("PK\x03\x04"), "bad magic");
}

TEST(NpyTest, ErrorUnknownVersion) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::F32, {2}));
  file[6] = 4;
  expectError(file, "unsupported .npy format version 4.0");
  file[6] = 1;
  file[7] = 1;
  expectError(file, "unsupported .npy format version 1.1");
}

TEST(NpyTest, ErrorTruncatedPreamble) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::F32, {2}));
  for (size_t size : {3, 7, 9}) {
    SCOPED_TRACE(size);
    expectError(std::vector<uint8_t>(file.begin(), file.begin() + size),
                "truncated preamble");
  }
}

TEST(NpyTest, ErrorTruncatedHeader) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::F32, {2}));
  expectError(std::vector<uint8_t>(file.begin(), file.begin() + 50),
              "truncated header: the header is 118 bytes but only 40 bytes "
              "follow the preamble");
  std::vector<uint8_t> v2 = paddedFile(2, dict("<f4", "(2,)"));
  v2[11] = 0x80; // a 2 GiB header
  expectError(v2, "truncated header");
}

TEST(NpyTest, ErrorHeaderNotADict) {
  expectError(paddedFile(1, "['descr', '<f4']"), "not a Python dict literal");
  expectError(paddedFile(1, ""), "not a Python dict literal");
}

TEST(NpyTest, ErrorMalformedHeader) {
  expectError(paddedFile(1, "{'descr' '<f4'}"), "expected ':'");
  expectError(paddedFile(1, "{'descr': '<f4"), "unterminated string");
  expectError(paddedFile(1, "{'descr': '<f4' 'shape': ()}"),
              "expected ',' or '}'");
  expectError(paddedFile(1, dict("<f4", "()") + " x"), "after the closing");
  expectError(paddedFile(1, dict("<f4", "()", "1")), "not True or False");
  expectError(paddedFile(1, dict("<f4", "[2]")), "'shape' is not a tuple");
  expectError(paddedFile(1, dict("<f4", "(2 3)")), "expected ',' or ')'");
  expectError(paddedFile(1, dict("<f4", "(2,,)")), "expected a dimension");
  expectError(paddedFile(1, dict("<f4", "(5)")), "not a tuple");
  expectError(paddedFile(1, "{'descr': 4, }"), "'descr' is not a string");
}

TEST(NpyTest, ErrorMissingKeys) {
  expectError(paddedFile(1, "{'fortran_order': False, 'shape': (2,), }"),
              "missing the 'descr' key");
  expectError(paddedFile(1, "{'descr': '<f4', 'shape': (2,), }"),
              "missing the 'fortran_order' key");
  expectError(paddedFile(1, "{'descr': '<f4', 'fortran_order': False, }"),
              "missing the 'shape' key");
  expectError(paddedFile(1, "{}"), "missing the 'descr' key");
}

TEST(NpyTest, ErrorUnexpectedOrDuplicateKey) {
  expectError(paddedFile(1, "{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (), 'extra': 1}"),
              "unexpected key 'extra'");
  expectError(paddedFile(1, "{'descr': '<f4', 'descr': '<f4', "
                            "'fortran_order': False, 'shape': ()}"),
              "'descr' appears twice");
}

TEST(NpyTest, ErrorUnknownDType) {
  for (const char *descr : {"<u4", "<c8", "|O", "<U3", "<f16", "", "<"}) {
    SCOPED_TRACE(descr);
    expectError(paddedFile(1, dict(descr, "(1,)"), std::vector<uint8_t>(4)),
                "unsupported dtype '" + std::string(descr) + "'");
  }
  expectError(paddedFile(1, "{'descr': [('a', '<f4')], "
                            "'fortran_order': False, 'shape': (1,), }"),
              "structured dtypes are not supported");
  expectError(paddedFile(1, dict("|f4", "(1,)"), std::vector<uint8_t>(4)),
              "byte order '|'");
}

TEST(NpyTest, ErrorBigEndian) {
  expectError(paddedFile(1, dict(">f4", "(2,)"), std::vector<uint8_t>(8)),
              "big-endian arrays are not supported; convert with "
              "arr.astype('<f4')");
  expectError(paddedFile(1, dict(">i8", "(1,)"), std::vector<uint8_t>(8)),
              "arr.astype('<i8')");
}

TEST(NpyTest, ErrorFortranOrder) {
  expectError(
      paddedFile(1, dict("<f4", "(2, 2)", "True"), std::vector<uint8_t>(16)),
      "Fortran-order arrays are not supported; use np.ascontiguousarray");
}

TEST(NpyTest, ErrorDataTooShort) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::I32, {2, 3}));
  file.resize(file.size() - 5);
  expectError(file, "truncated data: shape (2, 3) of i32 needs 24 bytes of "
                    "data but the file has only 19 bytes after the header");
}

TEST(NpyTest, ErrorTrailingBytes) {
  std::vector<uint8_t> file = serializeNpy(makeArray(NpyDType::I32, {2, 3}));
  file.push_back(0);
  expectError(file, "trailing bytes: shape (2, 3) of i32 needs 24 bytes of "
                    "data but the file has 25 bytes after the header (1 "
                    "extra)");
}

TEST(NpyTest, ErrorShapeOverflow) {
  expectError(paddedFile(1, dict("<f4", "(4294967296, 4294967296)")),
              "too large");
  // The element count fits but the byte count does not.
  expectError(paddedFile(1, dict("<f8", "(2305843009213693952,)")),
              "too large");
  // Zero elements, but the other dimensions still overflow (as in NumPy).
  expectError(paddedFile(1, dict("<f4", "(0, 4294967296, 4294967296)")),
              "too large");
  expectError(paddedFile(1, dict("<f4", "(99999999999999999999,)")),
              "does not fit in 64 bits");
}

TEST(NpyTest, ErrorNegativeDimension) {
  expectError(paddedFile(1, dict("<f4", "(2, -3)")), "negative dimension");
}

TEST(NpyTest, RandomMutationsNeverCrash) {
  std::vector<std::vector<uint8_t>> seeds = {
      serializeNpy(makeArray(NpyDType::F32, {2, 3})),
      serializeNpy(makeArray(NpyDType::I64, {})),
      serializeNpy(makeArray(NpyDType::Bool, {5})),
      paddedFile(2, dict("<u2", "(2, 1)"), {1, 2, 3, 4}),
      paddedFile(3, dict("<f2", "(0,)")),
  };
  const std::string interesting = "{}()[],:'\" \n0123456789-LTrueFalse<>|=";
  std::mt19937 rng(12345);
  auto pick = [&](size_t n) {
    return n == 0 ? size_t(0)
                  : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  int accepted = 0;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::vector<uint8_t> file = seeds[pick(seeds.size())];
    size_t mutations = 1 + pick(3);
    for (size_t m = 0; m < mutations; ++m) {
      switch (pick(6)) {
      case 0: // a random byte anywhere
        if (!file.empty())
          file[pick(file.size())] = static_cast<uint8_t>(pick(256));
        break;
      case 1: // truncate
        file.resize(pick(file.size() + 1));
        break;
      case 2: // a syntax character in the header
        if (file.size() > 12)
          file[10 + pick(file.size() - 10)] =
              static_cast<uint8_t>(interesting[pick(interesting.size())]);
        break;
      case 3: // append bytes
        file.insert(file.end(), 1 + pick(8), static_cast<uint8_t>(pick(256)));
        break;
      case 4: // a random header length
        if (file.size() > 12)
          file[8 + pick(4)] = static_cast<uint8_t>(pick(256));
        break;
      case 5: // insert or delete a header byte
        if (file.size() > 12) {
          size_t at = 10 + pick(file.size() - 10);
          if (pick(2))
            file.erase(file.begin() + at);
          else
            file.insert(
                file.begin() + at,
                static_cast<uint8_t>(interesting[pick(interesting.size())]));
        }
        break;
      }
    }
    NpyArray out;
    std::string error;
    if (parseNpy("fuzz.npy", file.data(), file.size(), out, error)) {
      ++accepted;
      ASSERT_GE(out.numElements(), 0);
      ASSERT_EQ(out.data.size(), static_cast<size_t>(out.numElements()) *
                                     npyItemSize(out.dtype));
      // Whatever we accept, we can write and read back.
      std::vector<uint8_t> again = serializeNpy(out);
      NpyArray back;
      ASSERT_TRUE(
          parseNpy("again.npy", again.data(), again.size(), back, error))
          << error;
      ASSERT_EQ(back.data, out.data);
    } else {
      ASSERT_EQ(error.rfind("fuzz.npy: ", 0), 0u) << error;
      ASSERT_GT(error.size(), 10u);
    }
  }
  // Some mutations (padding bytes, data bytes) keep the file valid.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 2000);
}

} // namespace
