//===- CApi.cpp - The C API over the C++ runtime --------------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"
#include "kdsl/runtime.h"
#include "kdsl/tune_cache.hpp"

#include "RuntimeImpl.h"

#include <cstring>
#include <map>
#include <mutex>

using namespace kdsl::rt;

struct kdsl_bundle {
  Bundle bundle;
};
struct kdsl_stream {
  Stream stream;
};

static thread_local std::string lastError;

/// Runs `body`, turning an exception into KDSL_ERROR and a message.
template <typename Body> static int guarded(Body &&body) {
  try {
    body();
    lastError.clear();
    return KDSL_OK;
  } catch (const std::exception &error) {
    lastError = error.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return KDSL_ERROR;
}

static Arg toArg(const kdsl_arg &arg) {
  auto type = static_cast<DType>(arg.type);
  switch (arg.kind) {
  case KDSL_ARG_POINTER:
    return Arg::ptr(arg.value.pointer, type);
  case KDSL_ARG_INT:
    return Arg(arg.value.integer);
  case KDSL_ARG_FLOAT:
    return Arg(arg.value.real);
  }
  throw Error("argument kind " + std::to_string(arg.kind) + " is not valid");
}

/// Device allocations made through the C API, so kdsl_free can find them.
static std::mutex allocationsMutex;
static std::map<kdsl_devptr, Buffer> &allocations() {
  static auto *map = new std::map<kdsl_devptr, Buffer>();
  return *map;
}

extern "C" {

int kdsl_set_tuning_cache(const char *path) {
  return guarded([&] {
    setTuningCache(path ? std::string(path) : TuneCache::defaultPath());
  });
}

kdsl_arg kdsl_arg_ptr(kdsl_devptr pointer, kdsl_dtype element_type) {
  kdsl_arg arg;
  arg.kind = KDSL_ARG_POINTER;
  arg.type = element_type;
  arg.value.pointer = pointer;
  return arg;
}

kdsl_arg kdsl_arg_int(int64_t value) {
  kdsl_arg arg;
  arg.kind = KDSL_ARG_INT;
  arg.type = KDSL_I64;
  arg.value.integer = value;
  return arg;
}

kdsl_arg kdsl_arg_float(double value) {
  kdsl_arg arg;
  arg.kind = KDSL_ARG_FLOAT;
  arg.type = KDSL_F64;
  arg.value.real = value;
  return arg;
}

const char *kdsl_last_error(void) { return lastError.c_str(); }

int kdsl_driver_available(void) { return driverAvailable() ? 1 : 0; }

int kdsl_device_info(char *name, size_t name_size, int *compute_capability) {
  return guarded([&] {
    const DeviceInfo &info = Device::get().info();
    if (name && name_size) {
      std::strncpy(name, info.name.c_str(), name_size - 1);
      name[name_size - 1] = '\0';
    }
    if (compute_capability)
      *compute_capability = info.computeMajor * 10 + info.computeMinor;
  });
}

int kdsl_synchronize(void) {
  return guarded([] { Device::get().synchronize(); });
}

int kdsl_malloc(size_t bytes, kdsl_devptr *pointer) {
  return guarded([&] {
    if (!pointer)
      throw Error("kdsl_malloc: pointer is NULL");
    Buffer buffer(bytes);
    *pointer = buffer.address();
    std::lock_guard<std::mutex> lock(allocationsMutex);
    allocations().emplace(buffer.address(), std::move(buffer));
  });
}

int kdsl_free(kdsl_devptr pointer) {
  return guarded([&] {
    std::lock_guard<std::mutex> lock(allocationsMutex);
    if (!allocations().erase(pointer))
      throw Error("kdsl_free: " + std::to_string(pointer) +
                  " was not allocated by kdsl_malloc");
  });
}

int kdsl_memcpy_htod(kdsl_devptr dst, const void *src, size_t bytes) {
  return guarded([&] {
    Device::get().makeCurrent();
    check(driver().cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
  });
}

int kdsl_memcpy_dtoh(void *dst, kdsl_devptr src, size_t bytes) {
  return guarded([&] {
    Device &device = Device::get();
    device.makeCurrent();
    CUresult result = driver().cuMemcpyDtoH(dst, src, bytes);
    if (result != CUDA_SUCCESS)
      throw Error(driverError(
          result, "cuMemcpyDtoH",
          lastLaunchContext(device.impl().lastLaunch, "on this device")));
  });
}

int kdsl_stream_create(kdsl_stream **stream) {
  return guarded([&] { *stream = new kdsl_stream{Stream()}; });
}

int kdsl_stream_synchronize(kdsl_stream *stream) {
  return guarded([&] { stream->stream.synchronize(); });
}

void kdsl_stream_destroy(kdsl_stream *stream) { delete stream; }

int kdsl_bundle_open(const char *path, kdsl_bundle **bundle) {
  return guarded([&] {
    if (!path || !bundle)
      throw Error("kdsl_bundle_open: NULL argument");
    *bundle = new kdsl_bundle{Bundle::open(path)};
  });
}

int kdsl_bundle_open_memory(const void *bytes, size_t size, const char *name,
                            kdsl_bundle **bundle) {
  return guarded([&] {
    if (!bytes || !bundle)
      throw Error("kdsl_bundle_open_memory: NULL argument");
    *bundle = new kdsl_bundle{
        Bundle::fromMemory(bytes, size, name ? name : "(memory)")};
  });
}

void kdsl_bundle_close(kdsl_bundle *bundle) { delete bundle; }

int kdsl_bundle_kernel(kdsl_bundle *bundle, const char *name,
                       kdsl_kernel **kernel) {
  return guarded([&] {
    if (!bundle || !name || !kernel)
      throw Error("kdsl_bundle_kernel: NULL argument");
    *kernel = reinterpret_cast<kdsl_kernel *>(&bundle->bundle.kernel(name));
  });
}

int kdsl_launch_grid(kdsl_kernel *kernel, const kdsl_arg *args, size_t num_args,
                     const char *config, kdsl_stream *stream, uint32_t grid_x,
                     uint32_t grid_y, uint32_t grid_z) {
  return guarded([&] {
    if (!kernel || (!args && num_args))
      throw Error("kdsl_launch: NULL argument");
    constexpr size_t kInline = 32;
    Arg inlineArgs[kInline] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    std::vector<Arg> heapArgs;
    Arg *converted = inlineArgs;
    if (num_args > kInline) {
      heapArgs.assign(num_args, Arg(0));
      converted = heapArgs.data();
    }
    for (size_t i = 0; i < num_args; ++i)
      converted[i] = toArg(args[i]);
    LaunchOptions options;
    options.stream = stream ? &stream->stream : nullptr;
    if (config && *config)
      options.config = parseConfig(config);
    options.grid = {grid_x, grid_y, grid_z};
    reinterpret_cast<Kernel *>(kernel)->launch(converted, num_args, options);
  });
}

int kdsl_launch(kdsl_kernel *kernel, const kdsl_arg *args, size_t num_args,
                const char *config, kdsl_stream *stream) {
  return kdsl_launch_grid(kernel, args, num_args, config, stream, 0, 0, 0);
}

} // extern "C"
