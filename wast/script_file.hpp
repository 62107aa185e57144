// Reading a script or text module from a file, for the front doors (`wsvm wast`, wsvm-spec,
// `wsvm wat2wasm`): one error line that names the file and, for text errors, the position.
#pragma once

#include <expected>
#include <string>

#include "text/script.hpp"

namespace wsvm::wast {

// The whole file; the error is "PATH: cannot open the file" / "PATH: is a directory" / ...
std::expected<std::string, std::string> read_text_file(const std::string& path);

// The parsed script; the error is "NAME:LINE:COLUMN: message" (the spec suite's words) or a
// read error. `name` is how the file is called in the error (its path, or its suite name).
std::expected<text::Script, std::string> load_script(const std::string& path, const std::string& name,
                                                     const text::WatOptions& options);

}  // namespace wsvm::wast
