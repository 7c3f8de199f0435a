//===- runtime.hpp - kdsl runtime C++ API -----------------------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The C++ API of libkdslrt, the library applications embed to launch kdsl
/// kernels from `.kpack` bundles. It needs no compiler: the CUDA driver
/// (`libcuda.so.1`) is loaded with `dlopen` on first use, so a program that
/// embeds the runtime starts anywhere and only gets an error ("no CUDA driver
/// found") when it asks for the GPU.
///
/// Every failure throws kdsl::rt::Error, whose message names the failing
/// driver call, the driver's error name and text, and what was being done
/// (kernel, config). The C API (kdsl/runtime.h) wraps this one.
///
/// \code
///   kdsl::rt::Bundle bundle = kdsl::rt::Bundle::open("kernels.kpack");
///   kdsl::rt::Buffer x(n * 4, kdsl::rt::DType::F32), y(...), out(...);
///   bundle.kernel("vector_add").launch({x, y, out, n});
///   kdsl::rt::Device::get().synchronize();
/// \endcode
///
//===----------------------------------------------------------------------===//

#ifndef KDSL_RUNTIME_HPP
#define KDSL_RUNTIME_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kdsl::rt {

/// Every runtime failure.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Element and scalar types of kdsl (LANGUAGE.md section 2).
enum class DType : uint8_t {
  Unknown,
  Bool,
  I8,
  I16,
  I32,
  I64,
  F16,
  BF16,
  F32,
  F64
};

/// The kdsl spelling (`f32`, `bool`, ...); "?" for Unknown.
const char *dtypeName(DType type);
/// Parses a kdsl spelling; std::nullopt when it names no type.
std::optional<DType> parseDType(std::string_view name);
/// Bytes per element; 0 for Unknown.
size_t dtypeSize(DType type);
bool isFloat(DType type);

/// (name, value) pairs: constexpr bindings plus `num_warps`, `num_stages`.
using ConfigEntries = std::vector<std::pair<std::string, int64_t>>;

/// True when the CUDA driver loads and reports at least one device. Never
/// throws; `why` receives the reason when it returns false.
bool driverAvailable(std::string *why = nullptr);

struct DeviceInfo {
  int ordinal = 0;
  std::string name;
  int computeMajor = 0, computeMinor = 0;
  /// As cuDriverGetVersion reports it (13000 is CUDA 13.0).
  int driverVersion = 0;
  int multiprocessors = 0;
  size_t totalMemory = 0;
  /// The most shared memory one block may opt in to.
  size_t sharedMemoryPerBlockOptin = 0;
  /// `sm_90`-style name of the compute capability.
  std::string arch() const;
};

/// One GPU and its primary context, retained on first use for the life of
/// the process.
class Device {
public:
  /// Throws Error("no CUDA driver found: ...") without a usable driver.
  static Device &get(int ordinal = 0);
  const DeviceInfo &info() const;
  /// Makes the primary context current on the calling thread.
  void makeCurrent() const;
  /// Waits for all work; a failure names the last kernel launched.
  void synchronize();
  /// The CUcontext, for interoperation.
  void *context() const;

  struct Impl;
  Impl &impl() const { return *impl_; }

private:
  explicit Device(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct DeviceRegistry;
};

/// A non-blocking CUDA stream.
class Stream {
public:
  explicit Stream(Device &device = Device::get());
  ~Stream();
  Stream(Stream &&other) noexcept;
  Stream &operator=(Stream &&other) noexcept;
  /// Waits for the stream; a failure names the last kernel launched on it.
  void synchronize();
  /// The CUstream.
  void *handle() const;

  struct Impl;
  Impl &impl() const { return *impl_; }

private:
  std::unique_ptr<Impl> impl_;
};

/// Device memory, freed on destruction. Its element type, when given, lets
/// launches check pointer arguments.
class Buffer {
public:
  Buffer(size_t bytes, DType elementType = DType::Unknown,
         Device &device = Device::get());
  ~Buffer();
  Buffer(Buffer &&other) noexcept;
  Buffer &operator=(Buffer &&other) noexcept;

  uint64_t address() const { return address_; }
  size_t bytes() const { return bytes_; }
  DType elementType() const { return elementType_; }

  /// Synchronous copies; `offset` and `size` are in bytes and must lie
  /// inside the buffer.
  void upload(const void *host, size_t size, size_t offset = 0);
  void download(void *host, size_t size, size_t offset = 0) const;
  /// Fills every byte with `value` (synchronously).
  void fill(uint8_t value);

  template <typename T> void upload(const std::vector<T> &host) {
    upload(host.data(), host.size() * sizeof(T));
  }
  template <typename T> std::vector<T> download() const {
    std::vector<T> host(bytes_ / sizeof(T));
    download(host.data(), host.size() * sizeof(T));
    return host;
  }

private:
  Device *device_;
  uint64_t address_ = 0;
  size_t bytes_ = 0;
  DType elementType_;
};

/// One launch argument: a device pointer (with its element type when known)
/// or an integer or floating-point scalar. Constexprs are not arguments:
/// they come from LaunchOptions::config, the bundle's config or defaults.
struct Arg {
  enum class Kind : uint8_t { Pointer, Int, Float };
  Kind kind;
  DType type; ///< pointee type of a Pointer (Unknown: unchecked)
  union {
    uint64_t pointer;
    int64_t integer;
    double real;
  };

  static Arg ptr(uint64_t address, DType elementType = DType::Unknown) {
    Arg a(Kind::Pointer, elementType);
    a.pointer = address;
    return a;
  }
  Arg(const Buffer &buffer)
      : Arg(ptr(buffer.address(), buffer.elementType())) {}
  /// Integers of any width; the launch checks the value fits the parameter.
  template <typename T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  Arg(T value)
      : kind(Kind::Int), type(std::is_same_v<T, bool> ? DType::Bool
                              : sizeof(T) <= 4        ? DType::I32
                                                      : DType::I64),
        integer(static_cast<int64_t>(value)) {}
  Arg(float value) : kind(Kind::Float), type(DType::F32), real(value) {}
  Arg(double value) : kind(Kind::Float), type(DType::F64), real(value) {}

private:
  Arg(Kind kind, DType type) : kind(kind), type(type), pointer(0) {}
};

struct LaunchOptions {
  /// Null: the legacy default stream.
  Stream *stream = nullptr;
  /// Explicit constexpr, num_warps and num_stages values; they win over the
  /// bundle's @config, @autotune and defaults.
  ConfigEntries config;
  /// The grid, for kernels without a grid expression (or to override it);
  /// all zero: from the kernel's grid expression.
  std::array<uint32_t, 3> grid{0, 0, 0};
};

/// What one compiled variant uses on the device, read back from the driver
/// (cuFuncGetAttribute) and, for spills, from the bundle (ptxas).
struct VariantResources {
  std::string config;         ///< `BLOCK=1024,num_warps=4,num_stages=2`
  std::string specialization; ///< empty for the generic variant
  std::string loadedFrom;     ///< `cubin sm_90a` or `ptx (JIT)`
  int registers = 0;
  int localBytes = 0;   ///< per thread; > 0 means a stack frame or spills
  int staticShared = 0; ///< bytes
  int dynamicShared = 0;
  int maxThreadsPerBlock = 0;
  int spillBytes = -1; ///< from ptxas at compile time; -1 when unknown
};

/// The variant and grid a launch chooses.
struct LaunchPlan {
  std::array<uint32_t, 3> grid{1, 1, 1};
  unsigned blockThreads = 0;
  uint32_t sharedBytes = 0;
  std::string config;
  std::string specialization;
  std::string entry;
};

class Bundle;
struct BundleContents; // kdsl/bundle.hpp
class TuneCache;       // kdsl/tune_cache.hpp
struct TuneOptions;
struct TuneReport;

/// A kernel of a bundle. Launches are thread-safe. The choice of variant is
/// memoized per (explicit config, values of the scalars that the choice
/// reads, specialization bits), so a steady-state launch is a hash lookup,
/// the grid evaluation and cuLaunchKernel.
class Kernel {
public:
  const std::string &name() const;
  /// Parameter names, in order, with `*f32`, `i32` or `const i32` types.
  std::string signature() const;
  /// The number of arguments a launch takes (pointers and scalars).
  size_t numArgs() const;

  void launch(std::initializer_list<Arg> args,
              const LaunchOptions &options = {}) {
    launch(args.begin(), args.size(), options);
  }
  void launch(const Arg *args, size_t count, const LaunchOptions &options = {});

  /// What a launch with these arguments would do, without a GPU: the
  /// checks, the variant choice and the grid.
  LaunchPlan plan(const Arg *args, size_t count,
                  const LaunchOptions &options = {}) const;
  LaunchPlan plan(std::initializer_list<Arg> args,
                  const LaunchOptions &options = {}) const {
    return plan(args.begin(), args.size(), options);
  }

  /// Loads (if needed) the variant these arguments select and reports its
  /// resources.
  VariantResources resources(const Arg *args, size_t count,
                             const LaunchOptions &options = {});
  VariantResources resources(std::initializer_list<Arg> args,
                             const LaunchOptions &options = {}) {
    return resources(args.begin(), args.size(), options);
  }

  /// Times every config of the kernel's @autotune space on the GPU with
  /// these arguments (their key: the key parameters' power-of-two buckets
  /// and the specialization they allow), recording each measurement in
  /// `cache` as it finishes; later launches with arguments of the same key
  /// use the winner. The arguments' buffers hold their original contents
  /// before each run and afterwards. Throws Error without a GPU.
  TuneReport tune(const Arg *args, size_t count, TuneCache &cache);
  TuneReport tune(const Arg *args, size_t count, TuneCache &cache,
                  const TuneOptions &options);

  struct Impl;
  ~Kernel();

private:
  explicit Kernel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Bundle;
};

/// An opened `.kpack`. Reading it needs no GPU; kernels load their modules
/// on first launch.
class Bundle {
public:
  /// Reads the whole bundle; throws Error for a missing, truncated, corrupt,
  /// foreign or differently versioned file.
  static Bundle open(const std::string &path);
  /// A bundle embedded in the program (`kdslc --emit=c-header`).
  static Bundle fromMemory(const void *bytes, size_t size,
                           const std::string &name);
  Bundle(Bundle &&) noexcept;
  Bundle &operator=(Bundle &&) noexcept;
  ~Bundle();

  const std::string &path() const;
  std::vector<std::string> kernelNames() const;
  /// Throws Error naming the bundle's kernels when `name` is not one.
  Kernel &kernel(std::string_view name);

private:
  Bundle();
  static Bundle fromContents(BundleContents contents, const std::string &path);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace kdsl::rt

#endif // KDSL_RUNTIME_HPP
