//===- FilesTest.cpp - Inputs and atomic outputs (Support/Files.h) --------===//

#include "kdsl/Support/Files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
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

/// The host part of temporaries' names, as Files.cpp spells it.
static std::string hostPart() {
  char name[256] = {0};
  ::gethostname(name, sizeof(name) - 1);
  std::string host = name[0] ? name : "host";
  for (char &c : host)
    if (c == '/' || c == '.')
      c = '_';
  return host;
}

TEST_F(FilesTest, StaleTemporariesAreRemoved) {
  // A process that has exited: its pid names no process now.
  pid_t dead = ::fork();
  if (dead == 0)
    ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string here = ".kdsl-tmp." + hostPart() + ".";
  std::string stale = ".out" + here + std::to_string(dead) + ".0badf00d";
  std::string live = ".out" + here + std::to_string(::getpid()) + ".1234";
  std::string other = ".other" + here + std::to_string(dead) + ".1";
  // Another host's writer, whatever its pid, may be alive.
  std::string remote =
      ".out.kdsl-tmp.elsewhere." + std::to_string(dead) + ".5678";
  for (const std::string &name : {stale, live, other, remote})
    put(path(name), "left over");
  std::string error;
  ASSERT_TRUE(writeOutputFile(path("out"), "new", error)) << error;
  // Only the dead local writer's temporary of this target goes.
  std::vector<std::string> want = {live, other, remote, "out"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names(), want);
}

TEST_F(FilesTest, FailedCreateOrRenameLeavesNoTemporary) {
  std::string error;
  EXPECT_FALSE(writeOutputFile(path("missing/out"), "x", error));
  EXPECT_EQ(error, path("missing/out") + ": cannot write: its directory '" +
                       path("missing") + "' does not exist");
  // The same, checked before any work.
  EXPECT_FALSE(checkOutputPath(path("missing/out"), error));
  EXPECT_TRUE(names().empty());
  // The target becomes a directory between open and commit.
  AtomicFile file;
  ASSERT_TRUE(file.open(path("out"), error)) << error;
  ASSERT_TRUE(file.write("x", error)) << error;
  fs::create_directories(dir / "out" / "inside");
  EXPECT_FALSE(file.commit(error));
  EXPECT_NE(error.find("cannot rename the temporary file"), std::string::npos)
      << error;
  EXPECT_EQ(names(), std::vector<std::string>{"out"});
}

TEST_F(FilesTest, StreamsAreWrittenInPlace) {
  // /dev/fd/N of a pipe: copied into it, not replaced, nothing left behind.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string error;
  ASSERT_TRUE(
      writeOutputFile("/dev/fd/" + std::to_string(fds[1]), "streamed", error))
      << error;
  ::close(fds[1]);
  char buffer[32] = {0};
  EXPECT_EQ(::read(fds[0], buffer, sizeof(buffer)), 8);
  EXPECT_EQ(std::string(buffer), "streamed");
  ::close(fds[0]);
  // A file behind /proc/self/fd/N is appended to at its position, as the
  // stream would be (`-o /dev/stdout >> log`), not replaced.
  put(path("log"), "kept\n");
  int log = ::open(path("log").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(log, 0);
  ASSERT_TRUE(writeOutputFile("/proc/self/fd/" + std::to_string(log),
                              "appended\n", error))
      << error;
  ::close(log);
  EXPECT_EQ(contents(path("log")), "kept\nappended\n");
}

TEST_F(FilesTest, ReadOnlyFilesStaySo) {
  // A file its owner made read-only is not replaced behind their back (a
  // rename would). Permissions do not stop root: run as nobody then.
  put(path("ro"), "old");
  ::chmod(path("ro").c_str(), 0444);
  ::chmod(dir.c_str(), 0777);
  pid_t child = ::fork();
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(3);
    std::string error;
    bool written = writeOutputFile(path("ro"), "new", error);
    bool said = error == path("ro") + ": cannot write: Permission denied";
    ::_exit(written ? 1 : said ? 0 : 2);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(contents(path("ro")), "old");
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
