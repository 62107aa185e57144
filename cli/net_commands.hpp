// The commands of the companion program `wsvm-net` (companion.hpp): argv as main() has it,
// argv[1] being the command's name. Each returns the exit status.
#pragma once

#include <string>
#include <vector>

namespace wsvm::cli {

int serve_main(const std::vector<std::string>& argv);  // serve.cpp
int pull_main(const std::vector<std::string>& argv);   // oci.cpp
int push_main(const std::vector<std::string>& argv);   // oci.cpp

}  // namespace wsvm::cli
