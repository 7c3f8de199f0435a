//===- Driver.cpp - Loading libcuda.so.1 ----------------------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include <cstdlib>
#include <dlfcn.h>

using namespace kdsl::rt;

#define KDSL_STRINGIFY_EXPANDED(x) KDSL_STRINGIFY(x)
#define KDSL_STRINGIFY(x) #x

namespace {

std::string formatError(const DriverApi &api, CUresult result, const char *call,
                        const std::string &context) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (api.cuGetErrorName)
    api.cuGetErrorName(result, &name);
  if (api.cuGetErrorString)
    api.cuGetErrorString(result, &text);
  std::string message = std::string(call) + " failed: " +
                        (name ? name : "CUDA error " + std::to_string(result));
  if (text)
    message += std::string(" (") + text + ")";
  if (!context.empty())
    message += " " + context;
  return message;
}

struct LoadedDriver {
  DriverApi api;
  std::string error; // why the driver is unusable; empty when it is usable
};

LoadedDriver load() {
  LoadedDriver loaded;
  // KDSL_CUDA_DRIVER lets tests point at a library that is not a driver.
  const char *path = std::getenv("KDSL_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *handle = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = ::dlerror();
    loaded.error = std::string("no CUDA driver found: cannot load ") + path +
                   " (" + (why ? why : "unknown reason") + ")";
    return loaded;
  }
#define KDSL_DRIVER_RESOLVE(fn)                                                \
  loaded.api.fn = reinterpret_cast<decltype(loaded.api.fn)>(                   \
      ::dlsym(handle, KDSL_STRINGIFY_EXPANDED(fn)));                           \
  if (!loaded.api.fn) {                                                        \
    loaded.error = std::string("no CUDA driver found: ") + path +              \
                   " lacks " KDSL_STRINGIFY_EXPANDED(fn) " (driver too old?)"; \
    return loaded;                                                             \
  }
  KDSL_DRIVER_FUNCTIONS(KDSL_DRIVER_RESOLVE)
#undef KDSL_DRIVER_RESOLVE
  CUresult result = loaded.api.cuInit(0);
  if (result != CUDA_SUCCESS) {
    loaded.error = "no CUDA driver found: " +
                   formatError(loaded.api, result, "cuInit", "");
    return loaded;
  }
  int count = 0;
  result = loaded.api.cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS || count == 0)
    loaded.error = "no CUDA driver found: the driver reports no GPU";
  return loaded;
}

const LoadedDriver &loadedDriver() {
  static const LoadedDriver loaded = load();
  return loaded;
}

} // namespace

const DriverApi &kdsl::rt::driver() {
  const LoadedDriver &loaded = loadedDriver();
  if (!loaded.error.empty())
    throw Error(loaded.error);
  return loaded.api;
}

bool kdsl::rt::driverAvailable(std::string *why) {
  const LoadedDriver &loaded = loadedDriver();
  if (why)
    *why = loaded.error;
  return loaded.error.empty();
}

std::string kdsl::rt::driverError(CUresult result, const char *call,
                                  const std::string &context) {
  return formatError(loadedDriver().api, result, call, context);
}
