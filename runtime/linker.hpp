// Resolves imports by (module, name) and instantiates modules.
// Spec: https://webassembly.github.io/spec/core/exec/modules.html#instantiation
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "decoder/error.hpp"
#include "runtime/store.hpp"

namespace wsvm {

class Linker {
 public:
  void define(const std::string& module, const std::string& name, Extern ext);
  // Makes every export of `inst` importable under `module` (the spec scripts' `register`).
  void define_instance(const std::string& module, const Instance& inst);
  std::optional<Extern> lookup(const std::string& module, const std::string& name) const;

  // Resolves imports (ErrorKind::Unlinkable: "unknown import", "incompatible import type"),
  // allocates the instance, initialises globals, tables (active element segments), memories
  // (active data segments) in the spec's order, then runs the start function. A trap during
  // segment initialisation or start is ErrorKind::Uninstantiable with the trap's message;
  // effects before the trap stay visible (tables/memories shared by import keep writes).
  Result<Instance*> instantiate(Store& store, std::shared_ptr<const CompiledModule> module);

  // The trap behind the last instantiate's Uninstantiable error, if a trap caused it (so an
  // embedder can tell an interrupted or out-of-fuel start function from other failures).
  const std::optional<Trap>& last_trap() const { return m_last_trap; }

 private:
  std::map<std::pair<std::string, std::string>, Extern> m_defs;
  std::optional<Trap> m_last_trap;
};

}  // namespace wsvm
