//===- Launch.cpp - Launch a bundle's kernel on .npy buffers --------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "Launch.h"

#include "kdsl/Support/Files.h"
#include "kdsl/Support/Npy.h"
#include "kdsl/Support/ScalarText.h"
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

} // namespace

bool kdsl::npyMatches(NpyDType npy, rt::DType type) {
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

namespace {

struct BoundBuffer {
  NpyArray array;
  rt::DType type = rt::DType::Unknown;
  size_t arg = 0; ///< its position among the launch arguments
  std::unique_ptr<rt::Buffer> buffer;
};

} // namespace

bool kdsl::splitBindings(const std::vector<std::string> &bindings,
                         std::map<std::string, std::string> &given,
                         std::string &error) {
  for (const std::string &binding : bindings) {
    size_t eq = binding.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == binding.size()) {
      error = "argument '" + binding + "' must be NAME=VALUE";
      return false;
    }
    if (!given.emplace(binding.substr(0, eq), binding.substr(eq + 1)).second) {
      error = "argument '" + binding.substr(0, eq) + "' is given twice";
      return false;
    }
  }
  return true;
}

bool kdsl::parseInteger(const std::string &text, int64_t &value) {
  if (text == "true" || text == "false") {
    value = text == "true";
    return true;
  }
  size_t used = 0;
  try {
    value = std::stoll(text, &used, 0);
  } catch (...) {
    return false;
  }
  return used == text.size();
}

bool kdsl::parseScalarArg(const rt::ParamInfo &p, const std::string &text,
                          rt::Arg &arg, std::string &error) {
  ScalarValue value;
  std::string why = parseScalarText(text, rt::dtypeName(p.type), value);
  if (!why.empty()) {
    error = (p.kind == rt::ParamInfo::Kind::Constexpr ? "constexpr '"
                                                      : "argument '") +
            p.name + "' (" + rt::dtypeName(p.type) + "): " + why;
    return false;
  }
  arg = value.isFloat ? rt::Arg(value.real) : rt::Arg(value.integer);
  return true;
}

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
    std::string error;
    if (!splitBindings(request.bindings, given, error))
      return fail(error);
    rt::LaunchOptions options;
    if (!request.config.empty())
      options.config = rt::parseConfig(request.config);
    std::vector<rt::Arg> args;
    std::map<std::string, BoundBuffer> buffers;
    for (const rt::ParamInfo &p : info->params) {
      auto it = given.find(p.name);
      if (p.kind == rt::ParamInfo::Kind::Constexpr) {
        rt::Arg v(int64_t(0));
        std::string error;
        if (it != given.end() && !parseScalarArg(p, it->second, v, error))
          return fail(error);
        if (it != given.end())
          options.config.emplace_back(p.name, v.integer);
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
        // Allocated once every argument has been checked.
        bound.type = p.type;
        bound.arg = args.size();
        args.push_back(rt::Arg::ptr(0, p.type));
        buffers[p.name] = std::move(bound);
        continue;
      }
      rt::Arg arg(int64_t(0));
      std::string error;
      if (!parseScalarArg(p, value, arg, error))
        return fail(error);
      args.push_back(arg);
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
        int64_t v;
        if (!parseInteger(part, v) || v < 0 || v > UINT32_MAX)
          return fail("--grid '" + request.grid +
                      "' must be 1 to 3 non-negative integers");
        options.grid[d] = static_cast<uint32_t>(v);
        if (comma == std::string::npos)
          break;
        at = comma + 1;
      }
    }
    for (const std::string &save : request.saves) {
      size_t eq = save.find('=');
      if (eq == std::string::npos || eq + 1 == save.size() ||
          !buffers.count(save.substr(0, eq)))
        return fail("--save '" + save +
                    "' must be POINTER=OUT.npy for a pointer argument");
      std::string error;
      if (!checkOutputPath(save.substr(eq + 1), error))
        return fail(error);
    }
    // Check the launch (variant, grid) before touching the GPU.
    rt::LaunchPlan plan = kernel.plan(args.data(), args.size(), options);
    for (auto &entry : buffers) {
      BoundBuffer &bound = entry.second;
      bound.buffer =
          std::make_unique<rt::Buffer>(bound.array.data.size(), bound.type);
      bound.buffer->upload(bound.array.data.data(), bound.array.data.size());
      args[bound.arg] = *bound.buffer;
    }
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
      auto it = buffers.find(save.substr(0, eq));
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
