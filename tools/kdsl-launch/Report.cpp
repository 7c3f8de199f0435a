//===- Report.cpp - Tuning results as a self-contained HTML page ----------===//

#include "Report.h"

#include <cmath>

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

using namespace kdsl;

namespace {

std::string escape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string number(double v, const char *format = "%.2f") {
  char text[64];
  // Wide values (an imported 1e300) in significant digits, not truncated.
  std::snprintf(text, sizeof(text), std::fabs(v) < 1e9 ? format : "%.6g", v);
  return text;
}

const char *kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
.meta { color: #555; }
table { border-collapse: collapse; margin-top: 1em; }
td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: right; }
td:first-child, th:first-child, td.reason { text-align: left; }
tr.winner td { font-weight: bold; }
.ok { fill: #4c78a8; } .winner { fill: #2ca02c; } .pruned { fill: #bbb; }
.invalid { fill: #d62728; } svg text { font: 12px system-ui, sans-serif; }
.legend span { display: inline-block; width: 12px; height: 12px;
               margin: 0 4px 0 12px; vertical-align: middle; }
)css";

} // namespace

std::string kdsl::renderTuneReport(const std::string &title,
                                   const std::vector<rt::TuneRecord> &records) {
  // Group by (kernel identity, key, device), keeping first-seen order.
  using GroupKey = std::tuple<std::string, std::string, std::string,
                              std::string, std::string>;
  std::vector<GroupKey> order;
  std::map<GroupKey, std::vector<const rt::TuneRecord *>> groups;
  for (const rt::TuneRecord &r : records) {
    GroupKey k{r.kernel.name,
               r.kernel.sourceHash + " / " + r.kernel.compilerVersion, r.key,
               r.device.name,
               r.device.computeCapability + ", CUDA " + r.device.driverVersion};
    if (!groups.count(k))
      order.push_back(k);
    groups[k].push_back(&r);
  }

  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                     "<title>" +
                     escape(title) + "</title><style>" + kStyle +
                     "</style></head><body>\n<h1>" + escape(title) + "</h1>\n";
  html += "<p class=\"legend\"><span style=\"background:#2ca02c\"></span>"
          "winner<span style=\"background:#4c78a8\"></span>timed"
          "<span style=\"background:#bbb\"></span>pruned (early estimate)"
          "<span style=\"background:#d62728\"></span>invalid</p>\n";
  if (records.empty())
    html += "<p>No tuning results.</p>\n";
  for (const GroupKey &k : order) {
    const std::vector<const rt::TuneRecord *> &rows = groups[k];
    const rt::TuneRecord *winner = nullptr;
    double longest = 0;
    int pruned = 0, invalid = 0;
    for (const rt::TuneRecord *r : rows) {
      pruned += r->status == "pruned";
      invalid += r->status == "invalid";
      if (r->status == "ok" && (!winner || r->medianUs < winner->medianUs))
        winner = r;
      if (r->status != "invalid")
        longest = std::max(longest, r->medianUs);
    }
    html += "<h2>" + escape(std::get<0>(k)) + " &mdash; key " +
            escape(std::get<2>(k).empty() ? "(none)" : std::get<2>(k)) +
            "</h2>\n<p class=\"meta\">" + escape(std::get<3>(k)) + " (" +
            escape(std::get<4>(k)) + "); source and compiler " +
            escape(std::get<1>(k)) + "; " + std::to_string(rows.size()) +
            " configs, " + std::to_string(pruned) + " pruned, " +
            std::to_string(invalid) + " invalid" +
            (winner ? "; winner " + escape(winner->config) + " at " +
                          number(winner->medianUs) + " &micro;s"
                    : std::string("; no config ran")) +
            "</p>\n";

    // One bar per config: its median time per run.
    const int label = 330, bar = 420, rowHeight = 20;
    int height = static_cast<int>(rows.size()) * rowHeight + 10;
    html += "<svg width=\"" + std::to_string(label + bar + 120) +
            "\" height=\"" + std::to_string(height) +
            "\" role=\"img\" aria-label=\"time per config\">\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const rt::TuneRecord &r = *rows[i];
      int y = static_cast<int>(i) * rowHeight + 5;
      std::string cls = &r == winner ? "winner" : r.status;
      double fraction = longest > 0 ? r.medianUs / longest : 0;
      int width = r.status == "invalid"
                      ? 6
                      : std::max(1, static_cast<int>(fraction * bar));
      std::string value = r.status == "invalid"
                              ? "invalid"
                              : number(r.medianUs) + " \u00b5s" +
                                    (r.status == "pruned" ? " (pruned)" : "");
      html += "<g><title>" + escape(r.config) + ": " + escape(r.status) +
              (r.status == "invalid"
                   ? ""
                   : ", median " + number(r.medianUs) + " us, p20 " +
                         number(r.p20Us) + ", p80 " + number(r.p80Us)) +
              (r.reason.empty() ? "" : " - " + escape(r.reason)) +
              "</title><text x=\"" + std::to_string(label - 6) + "\" y=\"" +
              std::to_string(y + 14) + "\" text-anchor=\"end\">" +
              escape(r.config) + "</text><rect class=\"" + cls + "\" x=\"" +
              std::to_string(label) + "\" y=\"" + std::to_string(y + 3) +
              "\" width=\"" + std::to_string(width) + "\" height=\"" +
              std::to_string(rowHeight - 6) + "\"/><text x=\"" +
              std::to_string(label + width + 6) + "\" y=\"" +
              std::to_string(y + 14) + "\">" + value + "</text></g>\n";
    }
    html += "</svg>\n";

    html += "<table><tr><th>config</th><th>status</th><th>median &micro;s</th>"
            "<th>p20</th><th>p80</th><th>reps</th><th>re-timed</th>"
            "<th>registers</th><th>spills</th><th>shared B</th>"
            "<th>variant</th><th>note</th></tr>\n";
    for (const rt::TuneRecord *r : rows) {
      bool timed = r->status != "invalid";
      auto count = [](int v) {
        return v < 0 ? std::string() : std::to_string(v);
      };
      html += std::string("<tr") + (r == winner ? " class=\"winner\"" : "") +
              "><td>" + escape(r->config) + "</td><td>" + escape(r->status) +
              "</td><td>" + (timed ? number(r->medianUs) : "") + "</td><td>" +
              (timed ? number(r->p20Us) : "") + "</td><td>" +
              (timed ? number(r->p80Us) : "") + "</td><td>" +
              std::to_string(r->reps) + "</td><td>" +
              (r->revalidated ? "yes" : "") + "</td><td>" +
              count(r->registers) + "</td><td>" + count(r->spillBytes) +
              "</td><td>" + count(r->sharedBytes) + "</td><td>" +
              escape(r->variant) + "</td><td class=\"reason\">" +
              escape(r->reason) + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  return html + "</body></html>\n";
}
