// wast/skip.txt: commands (or whole files) the runner skips on purpose, each with a
// reason. Lines: `FILE.wast REASON...` (whole file) or `FILE.wast:LINE REASON...` (the
// command at that line); `#` starts a comment. Every entry needs a reason. A key may end in
// `@ENGINE` (`return_call.wast@jit ...`): the entry applies to that engine only (an
// instruction one tier runs and the other declines).
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace wsvm::wast {

class SkipList {
 public:
  static std::expected<SkipList, std::string> load(const std::filesystem::path& path);
  static std::expected<SkipList, std::string> parse(const std::string& text);

  // The reason if the command of `file` (e.g. "i32.wast") at `line` is skipped; line 0
  // entries cover the whole file.
  // `engine` ("interp", "jit"): entries for another engine do not apply.
  std::optional<std::string> reason(const std::string& file, uint32_t line,
                                    const std::string& engine = "") const;
  size_t size() const { return m_entries.size(); }

 private:
  struct Key {
    std::string file;
    uint32_t line = 0;     // 0: the whole file
    std::string engine;    // empty: every engine
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, std::string> m_entries;
};

}  // namespace wsvm::wast
