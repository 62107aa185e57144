// wat_to_wasm and the module forms shared with the script parser.
#include "text/text.hpp"

#include <new>

#include "text/module_form.hpp"
#include "text/module_parser.hpp"

namespace wsvm::text {

// wat_to_wasm without its out-of-memory guard (a quoted module calls wat_to_wasm again).
static TextResult<std::vector<uint8_t>> wat_to_wasm_unguarded(std::string_view source,
                                                              const WatOptions& options);

TextError error_at(const Lexed& lx, uint32_t token, std::string message) {
  if (token >= lx.stray_token) return lx.stray_error;
  TextError e;
  e.message = std::move(message);
  line_column(lx.source, lx.tokens[token].offset, e.line, e.column);
  return e;
}

std::optional<TextResult<std::vector<uint8_t>>> binary_or_quote_form(
    const Lexed& lx, uint32_t open, uint32_t p, uint32_t close,
    const std::function<TextResult<std::vector<uint8_t>>(std::string_view)>& convert) {
  if (lx.tokens[p].kind != Tok::Keyword || (lx.text(p) != "binary" && lx.text(p) != "quote"))
    return std::nullopt;
  bool binary = lx.text(p) == "binary";
  std::string joined;
  for (++p; p < close; ++p) {
    if (lx.tokens[p].kind != Tok::String) return std::unexpected(error_at(lx, p, "unexpected token"));
    joined += decode_string(lx.text(p));
  }
  if (binary) return std::vector<uint8_t>(joined.begin(), joined.end());
  // Quoted text: its errors are positioned at the quote, with the position inside the
  // quoted text in the message.
  auto inner = convert(joined);
  if (!inner) {
    TextError& e = inner.error();
    TextError at = error_at(lx, open, "");
    if (e.line) e.message += " (at " + std::to_string(e.line) + ":" + std::to_string(e.column) + " of the quoted text)";
    e.line = at.line;
    e.column = at.column;
  }
  return inner;
}

TextResult<std::vector<uint8_t>> module_form(const Lexed& lx, uint32_t open, const WatOptions& options,
                                             std::optional<std::string>* id) {
  uint32_t close = lx.tokens[open].match;
  uint32_t p = open + 2;  // after "module"
  if (lx.tokens[p].kind == Tok::Keyword && lx.text(p) == "definition") ++p;  // (module definition ...)
  if (lx.tokens[p].kind == Tok::Id) {
    if (id) *id = std::string(lx.text(p));
    ++p;
  }
  if (auto form = binary_or_quote_form(lx, open, p, close,
                                       [&](std::string_view t) { return wat_to_wasm(t, options); }))
    return std::move(*form);
  try {
    std::vector<uint8_t> bytes = ModuleParser(lx, p, close, options).parse();
    if (lx.stray_token < close) return std::unexpected(lx.stray_error);
    return bytes;
  } catch (const ParseError& e) {
    return std::unexpected(error_at(lx, e.token, e.message));
  }
}

TextResult<std::vector<uint8_t>> wat_to_wasm(std::string_view source, const WatOptions& options) {
  try {
    return wat_to_wasm_unguarded(source, options);
  } catch (const std::bad_alloc&) {
    return std::unexpected(TextError{0, 0, "out of memory"});
  }
}

static TextResult<std::vector<uint8_t>> wat_to_wasm_unguarded(std::string_view source,
                                                              const WatOptions& options) {
  auto lexed = lex(source);
  if (!lexed) return std::unexpected(lexed.error());
  const Lexed& lx = *lexed;
  uint32_t eof = static_cast<uint32_t>(lx.tokens.size() - 1);
  if (lx.tokens[0].kind == Tok::LParen && lx.tokens[1].kind == Tok::Keyword && lx.text(1) == "module") {
    uint32_t close = lx.tokens[0].match;
    if (close + 1 != eof) return std::unexpected(error_at(lx, close + 1, "unexpected token"));
    return module_form(lx, 0, options, nullptr);
  }
  // The bare fields of a module (an inline module, as in the spec's .wat files).
  try {
    std::vector<uint8_t> bytes = ModuleParser(lx, 0, eof, options).parse();
    if (lx.stray_token != UINT32_MAX) return std::unexpected(lx.stray_error);
    return bytes;
  } catch (const ParseError& e) {
    return std::unexpected(error_at(lx, e.token, e.message));
  }
}

}  // namespace wsvm::text
