//===- Launch.cpp - Launch a bundle's kernel on .npy buffers --------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "Launch.h"

#include "kdsl/Support/Npy.h"
#include "kdsl/bundle.hpp"
#include "kdsl/runtime.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

using namespace kdsl;

namespace {

std::string trim(const std::string &s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

bool npyMatches(NpyDType npy, rt::DType type) {
  switch (type) {
  case rt::DType::Bool:
    return npy == NpyDType::Bool;
  case rt::DType::I8:
    return npy == NpyDType::I8;
  case rt::DType::I16:
    return npy == NpyDType::I16;
  case rt::DType::I32:
    return npy == NpyDType::I32;
  case rt::DType::I64:
    return npy == NpyDType::I64;
  case rt::DType::F16:
    return npy == NpyDType::F16;
  case rt::DType::BF16:
    return npy == NpyDType::U16;
  case rt::DType::F32:
    return npy == NpyDType::F32;
  case rt::DType::F64:
    return npy == NpyDType::F64;
  case rt::DType::Unknown:
    return true;
  }
  return false;
}

struct BoundBuffer {
  NpyArray array;
  std::unique_ptr<rt::Buffer> buffer;
};

} // namespace

int kdsl::launchFromBundle(const LaunchRequest &request) {
  auto fail = [&](const std::string &message) {
    std::fprintf(stderr, "%s: error: %s\n", request.tool.c_str(),
                 message.c_str());
    return 1;
  };
  try {
    rt::Bundle bundle = rt::Bundle::open(request.bundle);
    rt::Kernel &kernel = bundle.kernel(request.kernel);
    rt::BundleContents contents = rt::readBundle(request.bundle);
    const rt::KernelInfo *info = nullptr;
    for (const rt::KernelInfo &k : contents.kernels)
      if (k.name == request.kernel)
        info = &k;

    std::map<std::string, std::string> given;
    for (const std::string &binding : request.bindings) {
      size_t eq = binding.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == binding.size())
        return fail("argument '" + binding + "' must be NAME=VALUE");
      if (!given.emplace(binding.substr(0, eq), binding.substr(eq + 1)).second)
        return fail("argument '" + binding.substr(0, eq) + "' is given twice");
    }
    rt::LaunchOptions options;
    if (!request.config.empty())
      options.config = rt::parseConfig(request.config);
    std::vector<rt::Arg> args;
    std::map<std::string, BoundBuffer> buffers;
    for (const rt::ParamInfo &p : info->params) {
      auto it = given.find(p.name);
      if (p.kind == rt::ParamInfo::Kind::Constexpr) {
        if (it != given.end())
          options.config.emplace_back(p.name,
                                      std::stoll(it->second, nullptr, 0));
        continue;
      }
      if (it == given.end())
        return fail("kernel '" + request.kernel + "' needs argument '" +
                    p.name + "' (" + kernel.signature() + ")");
      const std::string &value = it->second;
      if (p.kind == rt::ParamInfo::Kind::Pointer) {
        if (value.empty() || value[0] != '@')
          return fail("argument '" + p.name + "' is a pointer: pass " + p.name +
                      "=@FILE.npy");
        BoundBuffer bound;
        std::string error;
        if (!readNpy(value.substr(1), bound.array, error))
          return fail(error);
        if (!npyMatches(bound.array.dtype, p.type))
          return fail("argument '" + p.name + "' points to " +
                      rt::dtypeName(p.type) + " but '" + value.substr(1) +
                      "' holds " + npyDTypeName(bound.array.dtype));
        bound.buffer =
            std::make_unique<rt::Buffer>(bound.array.data.size(), p.type);
        bound.buffer->upload(bound.array.data.data(), bound.array.data.size());
        args.push_back(*bound.buffer);
        buffers[p.name] = std::move(bound);
        continue;
      }
      size_t used = 0;
      try {
        if (rt::isFloat(p.type)) {
          double v = std::stod(value, &used);
          args.push_back(rt::Arg(v));
        } else {
          int64_t v = value == "true"    ? 1
                      : value == "false" ? 0
                                         : std::stoll(value, &used, 0);
          if (value == "true" || value == "false")
            used = value.size();
          args.push_back(rt::Arg(v));
        }
      } catch (...) {
        used = 0;
      }
      if (used != value.size())
        return fail("argument '" + p.name + "' is a " + rt::dtypeName(p.type) +
                    "; '" + value + "' is not a number");
    }
    for (const auto &entry : given)
      if (std::none_of(
              info->params.begin(), info->params.end(),
              [&](const rt::ParamInfo &p) { return p.name == entry.first; }))
        return fail("kernel '" + request.kernel + "' has no parameter '" +
                    entry.first + "' (" + kernel.signature() + ")");
    if (!request.grid.empty()) {
      size_t at = 0;
      for (size_t d = 0; d < 3 && at <= request.grid.size(); ++d) {
        size_t comma = request.grid.find(',', at);
        std::string part = trim(request.grid.substr(
            at, comma == std::string::npos ? std::string::npos : comma - at));
        options.grid[d] = static_cast<uint32_t>(std::stoul(part));
        if (comma == std::string::npos)
          break;
        at = comma + 1;
      }
    }
    rt::LaunchPlan plan = kernel.plan(args.data(), args.size(), options);
    kernel.launch(args.data(), args.size(), options);
    rt::Device::get().synchronize();
    std::fprintf(stderr, "%s: '%s' on %s, grid %ux%ux%u, config %s%s%s\n",
                 request.tool.c_str(), request.kernel.c_str(),
                 rt::Device::get().info().name.c_str(), plan.grid[0],
                 plan.grid[1], plan.grid[2], plan.config.c_str(),
                 plan.specialization.empty() ? "" : ", ",
                 plan.specialization.c_str());
    for (const std::string &save : request.saves) {
      size_t eq = save.find('=');
      std::string name = save.substr(0, eq);
      auto it = buffers.find(name);
      if (eq == std::string::npos || it == buffers.end())
        return fail("--save '" + save + "' must be POINTER=OUT.npy");
      it->second.buffer->download(it->second.array.data.data(),
                                  it->second.array.data.size());
      std::string error;
      if (!writeNpy(save.substr(eq + 1), it->second.array, error))
        return fail(error);
    }
    return 0;
  } catch (const std::exception &error) {
    return fail(error.what());
  }
}
