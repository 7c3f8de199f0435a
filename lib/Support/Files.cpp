//===- Files.cpp - How kdsl reads inputs and writes outputs ---------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Files.h"

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <random>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kdsl;

namespace {

/// What a non-regular file is, for messages.
const char *kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

std::string sizeText(uint64_t bytes) {
  if (bytes >= (uint64_t(1) << 30) && bytes % (uint64_t(1) << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (uint64_t(1) << 20) && bytes % (uint64_t(1) << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string errnoText(int code) { return std::strerror(code); }

/// Reads from `fd` to EOF, at most `maxBytes + 1` bytes (one more, to tell a
/// file over the limit).
template <typename Bytes>
bool readAll(int fd, uint64_t maxBytes, Bytes &bytes, int &code) {
  bytes.clear();
  char chunk[1 << 16];
  while (bytes.size() <= maxBytes) {
    ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      code = errno;
      return false;
    }
    if (got == 0)
      break;
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  return true;
}

std::string dirName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// This machine's name, part of each temporary's name so that a writer on
/// another host sharing the directory (NFS, a container) is never taken for
/// a dead local one.
std::string hostName() {
  char name[256] = {0};
  if (::gethostname(name, sizeof(name) - 1) != 0 || !name[0])
    return "host";
  std::string host = name;
  for (char &c : host)
    if (c == '/' || c == '.')
      c = '_';
  return host;
}

/// The temporaries of `target` start with this; the writer's host, process
/// id and a random tag follow: `.NAME.kdsl-tmp.HOST.PID.TAG`.
std::string tempPrefix(const std::string &target) {
  return "." + baseName(target) + ".kdsl-tmp." + hostName() + ".";
}

/// Removes the temporaries in `dir` named `prefix` + PID + "." + TAG whose
/// writer (a process of this host) is no longer running: killed before it
/// could rename or remove them.
void removeStaleTemporaries(const std::string &dir, const std::string &prefix) {
  DIR *listing = ::opendir(dir.c_str());
  if (!listing)
    return;
  while (dirent *entry = ::readdir(listing)) {
    std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0)
      continue;
    char *end = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (pid <= 0 || *end != '.')
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(listing);
}

/// Creates a new temporary file in `dir` named `prefix` + PID + "." + TAG.
int createTemporary(const std::string &dir, const std::string &prefix,
                    std::string &path, int &code) {
  thread_local std::mt19937_64 random(
      std::random_device{}() ^
      static_cast<uint64_t>(
          std::chrono::steady_clock::now().time_since_epoch().count()));
  removeStaleTemporaries(dir, prefix);
  for (int attempt = 0; attempt < 100; ++attempt) {
    char tag[24];
    std::snprintf(tag, sizeof(tag), "%08x",
                  static_cast<unsigned>(random() & 0xffffffffu));
    path = dir + "/" + prefix + std::to_string(::getpid()) + "." + tag;
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0)
      return fd;
    if (errno != EEXIST) {
      code = errno;
      return -1;
    }
  }
  code = EEXIST;
  return -1;
}

/// The temporary directory, for outputs that are not files of their own.
std::string tempDir() {
  const char *tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

/// The descriptor a path names when it is one of this process's streams:
/// /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N. Written in place,
/// at the stream's position (`-o /dev/stdout >> log` appends), never
/// replaced by a rename.
std::optional<int> streamOf(const std::string &path) {
  if (path == "/dev/stdout")
    return STDOUT_FILENO;
  if (path == "/dev/stderr")
    return STDERR_FILENO;
  for (const char *prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    size_t n = std::strlen(prefix);
    if (path.compare(0, n, prefix) != 0 || path.size() == n)
      continue;
    char *end = nullptr;
    long fd = std::strtol(path.c_str() + n, &end, 10);
    if (*end == '\0' && fd >= 0 && fd <= INT_MAX)
      return static_cast<int>(fd);
  }
  return std::nullopt;
}

/// Writes all of `bytes` to `fd`.
bool writeAll(int fd, std::string_view bytes, int &code) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      code = errno;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

} // namespace

template <typename Bytes>
static bool readInput(const std::string &path, uint64_t maxBytes,
                      std::string_view what, Bytes &bytes, std::string &error) {
  int code = 0;
  if (path == "-") {
    if (!readAll(STDIN_FILENO, maxBytes, bytes, code)) {
      error = "<stdin>: read error: " + errnoText(code);
      return false;
    }
    if (bytes.size() > maxBytes) {
      error = "<stdin>: more than " + sizeText(maxBytes) + ", the most " +
              std::string(what) + " may hold";
      return false;
    }
    return true;
  }
  // Non-blocking, so that opening a FIFO with no writer does not hang.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = path + ": cannot open: " + errnoText(errno);
    return false;
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    code = errno;
    ::close(fd);
    error = path + ": cannot open: " + errnoText(code);
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    error = path + ": is " + kindOf(info.st_mode) + ", not a regular file";
    return false;
  }
  if (static_cast<uint64_t>(info.st_size) > maxBytes) {
    ::close(fd);
    error = path + ": is " + std::to_string(info.st_size) + " bytes; " +
            std::string(what) + " may hold at most " + sizeText(maxBytes);
    return false;
  }
  bytes.reserve(static_cast<size_t>(info.st_size));
  bool ok = readAll(fd, maxBytes, bytes, code);
  ::close(fd);
  if (!ok) {
    error = path + ": read error: " + errnoText(code);
    return false;
  }
  if (bytes.size() > maxBytes) { // it grew while being read
    error = path + ": holds more than " + sizeText(maxBytes) + ", the most " +
            std::string(what) + " may hold";
    return false;
  }
  return true;
}

bool kdsl::readInputFile(const std::string &path, uint64_t maxBytes,
                         std::string_view what, std::string &bytes,
                         std::string &error) {
  return readInput(path, maxBytes, what, bytes, error);
}

bool kdsl::readInputFile(const std::string &path, uint64_t maxBytes,
                         std::string_view what, std::vector<uint8_t> &bytes,
                         std::string &error) {
  return readInput(path, maxBytes, what, bytes, error);
}

//===----------------------------------------------------------------------===//
// AtomicFile
//===----------------------------------------------------------------------===//

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (descriptor >= 0)
    ::close(descriptor);
  descriptor = -1;
  if (open_ && !temp.empty())
    ::unlink(temp.c_str());
  open_ = false;
}

/// Where writing `path` lands: a stream of this process, the null device,
/// or the regular file its symlinks finally name (which may not exist yet,
/// in a directory that must). False, with `error`, for anything else.
static bool resolveOutput(const std::string &path, std::string &target,
                          AtomicFile::Sink &sink, int &stream,
                          std::string &error) {
  sink = AtomicFile::Sink::File;
  if (std::optional<int> fd = streamOf(path)) {
    sink = AtomicFile::Sink::Stream;
    stream = *fd;
    target = path;
    return true;
  }
  // Follow symlinks to the file they finally name.
  std::string place = path;
  struct stat info;
  bool exists = false;
  for (int hops = 0;; ++hops) {
    if (hops == 40) {
      error = path + ": too many levels of symbolic links";
      return false;
    }
    if (::lstat(place.c_str(), &info) != 0) {
      if (errno != ENOENT) {
        error = path + ": cannot write: " + errnoText(errno);
        return false;
      }
      break; // a new file
    }
    if (!S_ISLNK(info.st_mode)) {
      exists = true;
      break;
    }
    std::string link(static_cast<size_t>(info.st_size) + 256, '\0');
    ssize_t n = ::readlink(place.c_str(), link.data(), link.size());
    if (n < 0) {
      error = path + ": cannot read the symbolic link '" + place +
              "': " + errnoText(errno);
      return false;
    }
    link.resize(static_cast<size_t>(n));
    place =
        !link.empty() && link[0] == '/' ? link : dirName(place) + "/" + link;
  }
  target = place;
  std::string via =
      place != path ? " (the symbolic link leads to '" + place + "')" : "";
  if (exists && S_ISCHR(info.st_mode)) {
    struct stat null;
    if (::stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
        null.st_rdev == info.st_rdev) {
      sink = AtomicFile::Sink::Null;
      return true;
    }
  }
  if (exists && !S_ISREG(info.st_mode)) {
    error = path + ": is " + kindOf(info.st_mode) +
            "; kdsl writes only regular files" + via;
    return false;
  }
  // A file its owner made read-only stays so, as `>` would leave it.
  if (exists && ::access(place.c_str(), W_OK) != 0) {
    error = path + ": cannot write: " + errnoText(errno) + via;
    return false;
  }
  // The temporary goes beside the target: its directory must take it.
  std::string dir = dirName(place);
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    error = path + ": cannot write: " +
            (errno == ENOENT
                 ? std::string("its directory '") + dir + "' does not exist"
                 : errnoText(errno) + " (in '" + dir + "')") +
            via;
    return false;
  }
  return true;
}

bool kdsl::checkOutputPath(const std::string &path, std::string &error) {
  std::string target;
  AtomicFile::Sink sink;
  int stream;
  return path == "-" || resolveOutput(path, target, sink, stream, error);
}

bool AtomicFile::open(const std::string &path, std::string &error) {
  discard();
  shown = path;
  if (!resolveOutput(path, target, sink, stream, error))
    return false;
  int code = 0;
  // A stream or the null device gets a temporary of its own (writers such
  // as SQLite need a file), copied to the stream or dropped on commit.
  if (sink != Sink::File)
    descriptor =
        createTemporary(tempDir(), ".kdsl-out." + hostName() + ".", temp, code);
  else
    descriptor =
        createTemporary(dirName(target), tempPrefix(target), temp, code);
  if (descriptor < 0) {
    error = path + ": cannot write: " + errnoText(code);
    return false;
  }
  open_ = true;
  // Keep the permissions of the file replaced.
  struct stat old;
  if (sink == Sink::File && ::stat(target.c_str(), &old) == 0)
    (void)::fchmod(descriptor, old.st_mode & 07777);
  return true;
}

bool AtomicFile::write(std::string_view bytes, std::string &error) {
  int code = 0;
  if (!writeAll(descriptor, bytes, code)) {
    error = shown + ": write error: " + errnoText(code);
    return false;
  }
  return true;
}

bool AtomicFile::commit(std::string &error) {
  if (!open_) {
    error = shown + ": nothing to write";
    return false;
  }
  int fd = descriptor;
  descriptor = -1;
  if (::close(fd) != 0) {
    error = shown + ": write error: " + errnoText(errno);
    discard();
    return false;
  }
  if (sink == Sink::Stream) {
    std::string bytes, why;
    int code = 0;
    bool ok = readInputFile(temp, UINT64_MAX, "an output", bytes, why) &&
              writeAll(stream, bytes, code);
    discard();
    if (!ok)
      error = shown + ": write error: " + (why.empty() ? errnoText(code) : why);
    return ok;
  }
  if (sink == Sink::Null) {
    discard();
    return true;
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    error = shown + ": cannot rename the temporary file '" + temp +
            "' over it: " + errnoText(errno);
    discard();
    return false;
  }
  open_ = false;
  return true;
}

bool kdsl::writeOutputFile(const std::string &path, std::string_view bytes,
                           std::string &error) {
  if (path == "-") {
    std::fflush(stdout);
    int code = 0;
    if (!writeAll(STDOUT_FILENO, bytes, code)) {
      error = "<stdout>: write error: " + errnoText(code);
      return false;
    }
    return true;
  }
  AtomicFile file;
  return file.open(path, error) && file.write(bytes, error) &&
         file.commit(error);
}
