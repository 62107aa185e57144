// Reads a constant expression's instructions back from the module's bytes. The decoder keeps
// only where each expression starts (ConstExpr::offset), so a module of a million expressions
// costs a few bytes each instead of a vector of Instr each (issue 17); the validator and the
// runtime decode the instructions again, one at a time, into an Instr they reuse.
#pragma once

#include "decoder/instr.hpp"
#include "decoder/module.hpp"
#include "decoder/reader.hpp"

namespace wsvm {

class ConstExprReader {
 public:
  ConstExprReader(const Module& m, const ConstExpr& e);
  // The next instruction into `out`: true, or false at the `end` that closes the expression.
  // The decoder has decoded these bytes once already, so an error here is not expected; it
  // is still returned rather than assumed away.
  Result<bool> next(Instr& out);

 private:
  Reader m_reader;
  uint32_t m_depth = 0;
};

}  // namespace wsvm
