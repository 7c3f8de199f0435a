//===- Device.cpp - Devices, streams and buffers --------------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

using namespace kdsl::rt;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

namespace {
struct DTypeEntry {
  DType type;
  const char *name;
  size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::Bool, "bool", 1}, {DType::I8, "i8", 1},   {DType::I16, "i16", 2},
    {DType::I32, "i32", 4},   {DType::I64, "i64", 8}, {DType::F16, "f16", 2},
    {DType::BF16, "bf16", 2}, {DType::F32, "f32", 4}, {DType::F64, "f64", 8},
};
} // namespace

const char *kdsl::rt::dtypeName(DType type) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.type == type)
      return entry.name;
  return "?";
}

std::optional<DType> kdsl::rt::parseDType(std::string_view name) {
  for (const DTypeEntry &entry : kDTypes)
    if (name == entry.name)
      return entry.type;
  if (name == "?")
    return DType::Unknown;
  return std::nullopt;
}

size_t kdsl::rt::dtypeSize(DType type) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.type == type)
      return entry.size;
  return 0;
}

bool kdsl::rt::isFloat(DType type) {
  return type == DType::F16 || type == DType::BF16 || type == DType::F32 ||
         type == DType::F64;
}

std::string DeviceInfo::arch() const {
  return "sm_" + std::to_string(computeMajor) + std::to_string(computeMinor);
}

//===----------------------------------------------------------------------===//
// Launch records
//===----------------------------------------------------------------------===//

const char *kdsl::rt::intern(const std::string &text) {
  static std::mutex mutex;
  static std::set<std::string> *pool = new std::set<std::string>();
  std::lock_guard<std::mutex> lock(mutex);
  return pool->insert(text).first->c_str();
}

std::string kdsl::rt::lastLaunchContext(const LaunchRecord &record,
                                        const char *where) {
  const char *last = record.load(std::memory_order_relaxed);
  if (!last)
    return std::string("(no kdsl kernel was launched ") + where + ")";
  return std::string("after kernel ") + last + " was the last launched " +
         where + "; the fault may come from it or an earlier launch " +
         "(KDSL_LAUNCH_BLOCKING=1 checks every launch); the CUDA context " +
         "may be unusable now";
}

//===----------------------------------------------------------------------===//
// Device
//===----------------------------------------------------------------------===//

namespace kdsl::rt {
/// Owns the devices opened so far; they live until the process exits.
struct DeviceRegistry {
  static Device &get(int ordinal) {
    static std::mutex mutex;
    static auto *devices = new std::map<int, Device *>();
    std::lock_guard<std::mutex> lock(mutex);
    auto it = devices->find(ordinal);
    if (it != devices->end())
      return *it->second;
    const DriverApi &api = driver();
    int count = 0;
    check(api.cuDeviceGetCount(&count), "cuDeviceGetCount");
    if (ordinal < 0 || ordinal >= count)
      throw Error("no CUDA device " + std::to_string(ordinal) + "; the " +
                  "driver reports " + std::to_string(count));
    auto impl = std::make_unique<Device::Impl>();
    Device::Impl &d = *impl;
    d.info.ordinal = ordinal;
    check(api.cuDeviceGet(&d.device, ordinal), "cuDeviceGet");
    char name[256] = {};
    check(api.cuDeviceGetName(name, sizeof(name) - 1, d.device),
          "cuDeviceGetName");
    d.info.name = name;
    auto attribute = [&](CUdevice_attribute which) {
      int value = 0;
      check(api.cuDeviceGetAttribute(&value, which, d.device),
            "cuDeviceGetAttribute");
      return value;
    };
    d.info.computeMajor =
        attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    d.info.computeMinor =
        attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    d.info.multiprocessors =
        attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    d.info.sharedMemoryPerBlockOptin =
        attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    check(api.cuDeviceTotalMem(&d.info.totalMemory, d.device),
          "cuDeviceTotalMem");
    check(api.cuDriverGetVersion(&d.info.driverVersion), "cuDriverGetVersion");
    check(api.cuDevicePrimaryCtxRetain(&d.context, d.device),
          "cuDevicePrimaryCtxRetain");
    const char *blocking = std::getenv("KDSL_LAUNCH_BLOCKING");
    d.launchBlocking = blocking && std::string(blocking) == "1";
    Device *device = new Device(std::move(impl));
    (*devices)[ordinal] = device;
    return *device;
  }
};
} // namespace kdsl::rt

Device::Device(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Device &Device::get(int ordinal) { return DeviceRegistry::get(ordinal); }

const DeviceInfo &Device::info() const { return impl_->info; }

void *Device::context() const { return impl_->context; }

void Device::Impl::makeCurrent() const {
  thread_local CUcontext current = nullptr;
  if (current == context)
    return;
  check(driver().cuCtxSetCurrent(context), "cuCtxSetCurrent");
  current = context;
}

void Device::makeCurrent() const { impl_->makeCurrent(); }

void Device::synchronize() {
  impl_->makeCurrent();
  CUresult result = driver().cuCtxSynchronize();
  if (result != CUDA_SUCCESS)
    throw Error(
        driverError(result, "cuCtxSynchronize",
                    lastLaunchContext(impl_->lastLaunch, "on this device")));
}

//===----------------------------------------------------------------------===//
// Stream
//===----------------------------------------------------------------------===//

Stream::Stream(Device &device) : impl_(std::make_unique<Impl>()) {
  impl_->device = &device;
  device.impl().makeCurrent();
  check(driver().cuStreamCreate(&impl_->stream, CU_STREAM_NON_BLOCKING),
        "cuStreamCreate");
}

Stream::~Stream() {
  if (impl_ && impl_->stream) {
    impl_->device->impl().makeCurrent();
    driver().cuStreamDestroy(impl_->stream);
  }
}

Stream::Stream(Stream &&other) noexcept = default;
Stream &Stream::operator=(Stream &&other) noexcept = default;

void Stream::synchronize() {
  CUresult result = driver().cuStreamSynchronize(impl_->stream);
  if (result != CUDA_SUCCESS)
    throw Error(
        driverError(result, "cuStreamSynchronize",
                    lastLaunchContext(impl_->lastLaunch, "on this stream")));
}

void *Stream::handle() const { return impl_->stream; }

//===----------------------------------------------------------------------===//
// Buffer
//===----------------------------------------------------------------------===//

Buffer::Buffer(size_t bytes, DType elementType, Device &device)
    : device_(&device), bytes_(bytes), elementType_(elementType) {
  device.impl().makeCurrent();
  CUdeviceptr address = 0;
  check(driver().cuMemAlloc(&address, bytes ? bytes : 1), "cuMemAlloc",
        "(" + std::to_string(bytes) + " bytes on " + device.info().name + ")");
  address_ = address;
}

Buffer::~Buffer() {
  if (address_) {
    device_->impl().makeCurrent();
    driver().cuMemFree(address_);
  }
}

Buffer::Buffer(Buffer &&other) noexcept
    : device_(other.device_), address_(other.address_), bytes_(other.bytes_),
      elementType_(other.elementType_) {
  other.address_ = 0;
  other.bytes_ = 0;
}

Buffer &Buffer::operator=(Buffer &&other) noexcept {
  if (this != &other) {
    Buffer dead(std::move(*this));
    device_ = other.device_;
    address_ = other.address_;
    bytes_ = other.bytes_;
    elementType_ = other.elementType_;
    other.address_ = 0;
    other.bytes_ = 0;
  }
  return *this;
}

static void checkRange(size_t offset, size_t size, size_t bytes,
                       const char *what) {
  if (offset > bytes || size > bytes - offset)
    throw Error(std::string(what) + " of " + std::to_string(size) +
                " bytes at offset " + std::to_string(offset) +
                " overruns a buffer of " + std::to_string(bytes) + " bytes");
}

void Buffer::upload(const void *host, size_t size, size_t offset) {
  checkRange(offset, size, bytes_, "upload");
  if (!size)
    return;
  device_->impl().makeCurrent();
  CUresult result = driver().cuMemcpyHtoD(address_ + offset, host, size);
  if (result != CUDA_SUCCESS)
    throw Error(driverError(
        result, "cuMemcpyHtoD",
        lastLaunchContext(device_->impl().lastLaunch, "on this device")));
}

void Buffer::download(void *host, size_t size, size_t offset) const {
  checkRange(offset, size, bytes_, "download");
  if (!size)
    return;
  device_->impl().makeCurrent();
  CUresult result = driver().cuMemcpyDtoH(host, address_ + offset, size);
  if (result != CUDA_SUCCESS)
    throw Error(driverError(
        result, "cuMemcpyDtoH",
        lastLaunchContext(device_->impl().lastLaunch, "on this device")));
}

void Buffer::fill(uint8_t value) {
  device_->impl().makeCurrent();
  check(driver().cuMemsetD8(address_, value, bytes_ ? bytes_ : 1),
        "cuMemsetD8");
}
