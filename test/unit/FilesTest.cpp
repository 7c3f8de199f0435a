//===- FilesTest.cpp - Inputs and atomic outputs (Support/Files.h) --------===//

#include "kdsl/Support/Files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace kdsl;
namespace fs = std::filesystem;

namespace {

struct FilesTest : ::testing::Test {
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("kdsl-files-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) { return (dir / name).string(); }
  static std::string contents(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void put(const std::string &path, const std::string &text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  std::vector<std::string> names() {
    std::vector<std::string> all;
    for (const auto &entry : fs::directory_iterator(dir))
      all.push_back(entry.path().filename().string());
    std::sort(all.begin(), all.end());
    return all;
  }
};

TEST_F(FilesTest, WritesAndReplaces) {
  std::string error;
  ASSERT_TRUE(writeOutputFile(path("out"), "one", error)) << error;
  EXPECT_EQ(contents(path("out")), "one");
  ASSERT_TRUE(writeOutputFile(path("out"), "two", error)) << error;
  EXPECT_EQ(contents(path("out")), "two");
  EXPECT_EQ(names(), std::vector<std::string>{"out"});
}

TEST_F(FilesTest, UncommittedLeavesTheOldFile) {
  put(path("out"), "old");
  std::string error;
  {
    AtomicFile file;
    ASSERT_TRUE(file.open(path("out"), error)) << error;
    ASSERT_TRUE(file.write("partial", error)) << error;
    EXPECT_EQ(names().size(), 2u); // the target and its temporary
  }
  EXPECT_EQ(contents(path("out")), "old");
  EXPECT_EQ(names(), std::vector<std::string>{"out"});
}

TEST_F(FilesTest, KeepsPermissions) {
  put(path("out"), "old");
  ::chmod(path("out").c_str(), 0640);
  std::string error;
  ASSERT_TRUE(writeOutputFile(path("out"), "new", error)) << error;
  struct stat info;
  ASSERT_EQ(::stat(path("out").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(FilesTest, WritesThroughSymlinks) {
  fs::create_directories(dir / "real");
  put(path("real/target"), "old");
  fs::create_symlink("real/target", dir / "link");
  fs::create_symlink("link", dir / "link2");
  std::string error;
  ASSERT_TRUE(writeOutputFile(path("link2"), "new", error)) << error;
  EXPECT_TRUE(fs::is_symlink(dir / "link2"));
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(contents(path("real/target")), "new");
  // The temporary went beside the target, and is gone.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "real"),
                          fs::directory_iterator()),
            1);

  // A dangling link: its target is created.
  fs::create_symlink("real/new", dir / "dangling");
  ASSERT_TRUE(writeOutputFile(path("dangling"), "made", error)) << error;
  EXPECT_TRUE(fs::is_symlink(dir / "dangling"));
  EXPECT_EQ(contents(path("real/new")), "made");

  // A loop is an error, not a hang.
  fs::create_symlink("loop-b", dir / "loop-a");
  fs::create_symlink("loop-a", dir / "loop-b");
  EXPECT_FALSE(writeOutputFile(path("loop-a"), "x", error));
  EXPECT_NE(error.find("too many levels of symbolic links"), std::string::npos)
      << error;
}

TEST_F(FilesTest, RefusesWhatIsNotARegularFile) {
  std::string error;
  fs::create_directories(dir / "sub");
  EXPECT_FALSE(writeOutputFile(path("sub"), "x", error));
  EXPECT_EQ(error, path("sub") + ": is a directory; kdsl writes only regular "
                                 "files");
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  EXPECT_FALSE(writeOutputFile(path("fifo"), "x", error));
  EXPECT_NE(error.find("is a FIFO"), std::string::npos) << error;
  // A device stays a device (run as root, a rename would replace it).
  EXPECT_FALSE(writeOutputFile("/dev/full", "x", error));
  EXPECT_EQ(error, "/dev/full: is a character device; kdsl writes only "
                   "regular files");
  struct stat info;
  ASSERT_EQ(::stat("/dev/full", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
  // ...also behind a symlink, which the message follows.
  fs::create_symlink("/dev/full", dir / "to-full");
  EXPECT_FALSE(writeOutputFile(path("to-full"), "x", error));
  EXPECT_NE(error.find("(the symbolic link leads to '/dev/full')"),
            std::string::npos)
      << error;
  EXPECT_EQ(names(), (std::vector<std::string>{"fifo", "sub", "to-full"}));
}

TEST_F(FilesTest, NullDeviceDiscards) {
  std::string error;
  EXPECT_TRUE(writeOutputFile("/dev/null", "gone", error)) << error;
  AtomicFile file;
  ASSERT_TRUE(file.open("/dev/null", error)) << error;
  std::string temp = file.tempPath();
  EXPECT_NE(temp, "/dev/null"); // a writer by name gets a real file...
  ASSERT_TRUE(file.commit(error)) << error;
  EXPECT_FALSE(fs::exists(temp)); // ...which is dropped
  struct stat info;
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
}

TEST_F(FilesTest, StaleTemporariesAreRemoved) {
  // A process that has exited: its pid names no process now.
  pid_t dead = ::fork();
  if (dead == 0)
    ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string stale = ".out.kdsl-tmp." + std::to_string(dead) + ".0badf00d";
  std::string live = ".out.kdsl-tmp." + std::to_string(::getpid()) + ".1234";
  std::string other = ".other.kdsl-tmp." + std::to_string(dead) + ".1";
  for (const std::string &name : {stale, live, other})
    put(path(name), "left over");
  std::string error;
  ASSERT_TRUE(writeOutputFile(path("out"), "new", error)) << error;
  // Only the dead writer's temporary of this target goes.
  EXPECT_EQ(names(), (std::vector<std::string>{other, live, "out"}));
}

TEST_F(FilesTest, FailedRenameRemovesTheTemporary) {
  std::string error;
  EXPECT_FALSE(writeOutputFile(path("missing/out"), "x", error));
  EXPECT_EQ(
      error.rfind(path("missing/out") + ": cannot write: No such file", 0), 0u)
      << error;
  EXPECT_TRUE(names().empty());
}

TEST_F(FilesTest, InputsAreRegularFilesWithinALimit) {
  std::string bytes, error;
  put(path("small"), "12345");
  ASSERT_TRUE(readInputFile(path("small"), 5, "a test file", bytes, error));
  EXPECT_EQ(bytes, "12345");
  EXPECT_FALSE(readInputFile(path("small"), 4, "a test file", bytes, error));
  EXPECT_EQ(error, path("small") +
                       ": is 5 bytes; a test file may hold at most 4 bytes");
  EXPECT_FALSE(
      readInputFile("/dev/zero", uint64_t(1) << 40, "a source", bytes, error));
  EXPECT_EQ(error, "/dev/zero: is a character device, not a regular file");
  EXPECT_FALSE(readInputFile(dir.string(), 100, "a source", bytes, error));
  EXPECT_EQ(error, dir.string() + ": is a directory, not a regular file");
  // A FIFO with no writer: refused at once, no hang.
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  EXPECT_FALSE(readInputFile(path("fifo"), 100, "a source", bytes, error));
  EXPECT_EQ(error, path("fifo") + ": is a FIFO, not a regular file");
  EXPECT_FALSE(readInputFile(path("none"), 100, "a source", bytes, error));
  EXPECT_EQ(error, path("none") + ": cannot open: No such file or directory");
  std::vector<uint8_t> data;
  ASSERT_TRUE(readInputFile(path("small"), 10, "a test file", data, error));
  EXPECT_EQ(data.size(), 5u);
}

} // namespace
