//===- ConfigSpace.cpp - @autotune config spaces --------------------------===//

#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"
#include "kdsl/Support/Limits.h"

#include <functional>
#include <optional>

namespace kdsl {

std::vector<Config> enumerateConfigs(const std::vector<TuneAxis> &axes,
                                     const std::string &where,
                                     std::string &error) {
  ConstExprRef filter;
  if (!where.empty()) {
    ConstExprParseResult parsed = parseConstExpr(where);
    if (!parsed) {
      error = "where '" + where + "': " + parsed.error;
      return {};
    }
    filter = parsed.expr;
  }
  std::vector<Config> configs;
  std::vector<size_t> lengths;
  for (const TuneAxis &axis : axes) {
    if (axis.values.empty())
      return configs;
    lengths.push_back(axis.values.size());
  }
  // The front end refuses larger spaces; a bundle could still hold one.
  error = checkAutotuneSpaceSize(lengths);
  if (!error.empty())
    return {};
  std::vector<size_t> index(axes.size(), 0);
  while (true) {
    Config config;
    for (size_t i = 0; i < axes.size(); ++i)
      config.emplace_back(axes[i].name, axes[i].values[index[i]]);
    bool keep = true;
    if (filter) {
      ConstExprEvalResult result = evaluateConstExpr(
          *filter, [&](const std::string &name) -> std::optional<int64_t> {
            for (auto &[key, value] : config)
              if (key == name)
                return value;
            return std::nullopt;
          });
      if (!result.ok) {
        error = "where '" + where + "': " + result.error;
        return {};
      }
      keep = result.value != 0;
    }
    if (keep)
      configs.push_back(std::move(config));
    // Advance the odometer, last axis fastest.
    size_t axis = axes.size();
    while (axis > 0) {
      --axis;
      if (++index[axis] < axes[axis].values.size())
        break;
      index[axis] = 0;
      if (axis == 0)
        return configs;
    }
    if (axes.empty())
      return configs;
  }
}

std::string formatConfig(const Config &config) {
  std::string text;
  for (const auto &[name, value] : config) {
    if (!text.empty())
      text += ",";
    text += name + "=" + std::to_string(value);
  }
  return text;
}

namespace {

ConstExprLookup lookupIn(const ConfigValues &values) {
  return [&values](const std::string &name) -> std::optional<int64_t> {
    auto it = values.find(name);
    if (it == values.end())
      return std::nullopt;
    return it->second;
  };
}

const KernelConfigInfo::Param *findParam(const KernelConfigInfo &kernel,
                                         const std::string &name) {
  for (const KernelConfigInfo::Param &param : kernel.params)
    if (param.name == name)
      return &param;
  return nullptr;
}

/// The default of constexpr `name` when it reads only values already known
/// (a `where` may read such a constexpr before the config is chosen).
std::optional<int64_t> defaultValue(const KernelConfigInfo &kernel,
                                    const std::string &name,
                                    const ConfigValues &values) {
  const KernelConfigInfo::Param *param = findParam(kernel, name);
  if (!param || !param->isConstexpr || param->defaultExpr.empty())
    return std::nullopt;
  ConstExprParseResult parsed = parseConstExpr(param->defaultExpr);
  if (!parsed)
    return std::nullopt;
  ConstExprEvalResult result =
      evaluateConstExpr(*parsed.expr, lookupIn(values));
  if (!result.ok)
    return std::nullopt;
  return result.value;
}

} // namespace

std::string resolveConfig(const KernelConfigInfo &kernel,
                          ConfigValues &values) {
  const std::string prefix = "kernel '" + kernel.name + "': ";
  std::string noValidConfig; // why @autotune gave no values, if it did not
  for (const auto &[name, value] : kernel.fixedConfig)
    values.try_emplace(name, value);
  if (!kernel.tuneAxes.empty()) {
    // `where` may read constexprs that are not axes (bound explicitly or by
    // @config) and the knobs' defaults: substitute those first.
    std::string where = kernel.tuneWhere;
    if (!where.empty()) {
      ConstExprParseResult parsed = parseConstExpr(where);
      if (parsed)
        where = parsed.expr
                    ->substitute(
                        [&](const std::string &name) -> std::optional<int64_t> {
                          for (const TuneAxis &axis : kernel.tuneAxes)
                            if (axis.name == name)
                              return std::nullopt;
                          auto it = values.find(name);
                          if (it != values.end())
                            return it->second;
                          if (name == "num_warps")
                            return kDefaultNumWarps;
                          if (name == "num_stages")
                            return kDefaultNumStages;
                          return defaultValue(kernel, name, values);
                        })
                    ->print();
    }
    std::string error;
    std::vector<Config> configs =
        enumerateConfigs(kernel.tuneAxes, where, error);
    if (!error.empty())
      return prefix + error;
    if (configs.empty())
      noValidConfig =
          "no config of @autotune passes where = \"" + kernel.tuneWhere + "\"";
    // The first config that agrees with every explicit binding.
    bool matched = false;
    for (const Config &config : configs) {
      bool agrees = true;
      for (const auto &[name, value] : config) {
        auto it = values.find(name);
        agrees &= it == values.end() || it->second == value;
      }
      if (agrees) {
        for (const auto &[name, value] : config)
          values.try_emplace(name, value);
        matched = true;
        break;
      }
    }
    if (!matched && !configs.empty())
      noValidConfig = "no config of @autotune agrees with the values given";
  }
  values.try_emplace("num_warps", kDefaultNumWarps);
  values.try_emplace("num_stages", kDefaultNumStages);

  // Defaults may use other constexprs and scalar parameters: resolve them in
  // dependency order, reporting a cycle or a missing value.
  std::map<std::string, int> state; // absent new, 1 active, 2 done
  std::function<std::string(const KernelConfigInfo::Param &)> resolve =
      [&](const KernelConfigInfo::Param &param) -> std::string {
    const std::string &name = param.name;
    if (state[name] == 2 || values.count(name)) {
      state[name] = 2;
      return "";
    }
    if (state[name] == 1)
      return prefix + "the default of constexpr '" + name +
             "' depends on itself";
    if (param.defaultExpr.empty())
      return prefix + "constexpr '" + name + "' has no value; give it one " +
             "in the config (" + name +
             "=...), in @config or @autotune, or give it a default" +
             (noValidConfig.empty() ? "" : " (" + noValidConfig + ")");
    state[name] = 1;
    ConstExprParseResult parsed = parseConstExpr(param.defaultExpr);
    if (!parsed)
      return prefix + "the default of '" + name + "' (" + param.defaultExpr +
             ") does not parse: " + parsed.error;
    for (const std::string &used : parsed.expr->params()) {
      const KernelConfigInfo::Param *dep = findParam(kernel, used);
      if (dep && dep->isConstexpr) {
        std::string error = resolve(*dep);
        if (!error.empty())
          return error;
      }
    }
    ConstExprEvalResult result =
        evaluateConstExpr(*parsed.expr, lookupIn(values));
    if (!result.ok)
      return prefix + "the default of '" + name + "' (" + param.defaultExpr +
             ") cannot be evaluated: " + result.error +
             (result.error.rfind("no value", 0) == 0
                  ? "; bind the scalar parameters it uses in the config"
                  : "");
    values[name] = result.value;
    state[name] = 2;
    return "";
  };
  for (const KernelConfigInfo::Param &param : kernel.params)
    if (param.isConstexpr) {
      std::string error = resolve(param);
      if (!error.empty())
        return error;
    }
  return "";
}

} // namespace kdsl
