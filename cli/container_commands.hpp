// The container commands of `wsvm` (container/ does the work, these files parse and print):
// `wsvm up` runs what a wcontainer.toml names with what it grants (up.cpp); `wsvm inspect`
// describes a module or component, or audits a manifest (inspect.cpp).
#pragma once

#include <string>
#include <vector>

#include "container/manifest.hpp"

namespace wsvm::cli {

// argv as main() has it, argv[1] being the command's name. Returns the exit status.
int up_command(const std::vector<std::string>& argv);
int inspect_command(const std::vector<std::string>& argv);
int build_command(const std::vector<std::string>& argv);  // build.cpp

// Manifest sizes and durations read with the command line's own parsers (limit_options.hpp).
container::ValueParsers manifest_value_parsers();

}  // namespace wsvm::cli
