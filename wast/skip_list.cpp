// Loading of the skip list (see skip_list.hpp).
#include "wast/skip_list.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace wsvm::wast {

std::expected<SkipList, std::string> SkipList::parse(const std::string& text) {
  SkipList list;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos) continue;
    const size_t key_end = line.find_first_of(" \t", start);
    const size_t reason_start =
        key_end == std::string::npos ? std::string::npos : line.find_first_not_of(" \t", key_end);
    if (reason_start == std::string::npos)
      return std::unexpected(fmt::format("skip list line {}: an entry needs a reason", number));
    std::string key = line.substr(start, key_end - start);
    std::string engine;
    if (auto atsign = key.find('@'); atsign != std::string::npos) {
      engine = key.substr(atsign + 1);
      key.erase(atsign);
      if (engine.empty())
        return std::unexpected(fmt::format("skip list line {}: an engine is missing after '@'", number));
    }
    std::string reason = line.substr(reason_start);
    while (!reason.empty() && (reason.back() == '\r' || reason.back() == ' ')) reason.pop_back();
    uint32_t at = 0;
    if (auto colon = key.find(':'); colon != std::string::npos) {
      const char* b = key.data() + colon + 1;
      const char* e = key.data() + key.size();
      auto [p, ec] = std::from_chars(b, e, at);
      if (ec != std::errc() || p != e || at == 0)
        return std::unexpected(fmt::format("skip list line {}: bad line number in \"{}\"", number, key));
      key.erase(colon);
    }
    list.m_entries[Key{key, at, engine}] = reason;
  }
  return list;
}

std::expected<SkipList, std::string> SkipList::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return SkipList{};  // no file: nothing skipped
  std::ostringstream text;
  text << in.rdbuf();
  auto list = parse(text.str());
  if (!list) return std::unexpected(fmt::format("{}: {}", path.string(), list.error()));
  return list;
}

std::optional<std::string> SkipList::reason(const std::string& file, uint32_t line,
                                            const std::string& engine) const {
  for (const std::string& e : {std::string(), engine}) {
    if (auto it = m_entries.find(Key{file, 0, e}); it != m_entries.end()) return it->second;
    if (auto it = m_entries.find(Key{file, line, e}); it != m_entries.end()) return it->second;
    if (engine.empty()) break;
  }
  return std::nullopt;
}

}  // namespace wsvm::wast
