//===- ConfigSpace.cpp - @autotune config spaces --------------------------===//

#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"

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
  for (const TuneAxis &axis : axes)
    if (axis.values.empty())
      return configs;
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

} // namespace kdsl
