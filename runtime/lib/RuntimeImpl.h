//===- RuntimeImpl.h - Shared internals of libkdslrt ------------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_RUNTIME_RUNTIMEIMPL_H
#define KDSL_RUNTIME_RUNTIMEIMPL_H

#include "Driver.h"

#include <atomic>
#include <string>

namespace kdsl::rt {

/// What a failure at synchronization can name: the last launch on a stream.
/// The texts are interned (never freed), so a pointer stays valid even after
/// the bundle that launched is gone.
using LaunchRecord = std::atomic<const char *>;

/// Interns `text` for the life of the process.
const char *intern(const std::string &text);

/// The clause appended to a synchronization error: which kernel was last
/// launched and how to find the exact culprit.
std::string lastLaunchContext(const LaunchRecord &record, const char *where);

struct Device::Impl {
  DeviceInfo info;
  CUdevice device = 0;
  CUcontext context = nullptr;
  /// KDSL_LAUNCH_BLOCKING=1: synchronize after every launch, so a fault
  /// names exactly the kernel that caused it.
  bool launchBlocking = false;
  /// The last launch on the legacy default stream (or anywhere, for a device
  /// synchronization).
  LaunchRecord lastLaunch{nullptr};

  /// Makes the context current on this thread (cached per thread).
  void makeCurrent() const;
};

struct Stream::Impl {
  Device *device = nullptr;
  CUstream stream = nullptr;
  LaunchRecord lastLaunch{nullptr};
};

} // namespace kdsl::rt

#endif // KDSL_RUNTIME_RUNTIMEIMPL_H
