// Corner cases of the typing rules, one tiny module each (wat/NAME.wat, built by wat2wasm).
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "validator/tests/test_util.hpp"
#include "validator/validate.hpp"

using namespace wsvm;

namespace {

void expect_valid(const std::string& name) {
  INFO(name);
  auto m = test::decode_fixture(name);
  REQUIRE(m);
  Result<void> r = validate_module(*m);
  INFO((r ? std::string() : r.error().to_string()));
  CHECK(r.has_value());
}

void expect_invalid(const std::string& name, const std::string& message_prefix) {
  INFO(name);
  auto m = test::decode_fixture(name);
  REQUIRE(m);
  Result<void> r = validate_module(*m);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().to_string());
  CHECK(r.error().kind == ErrorKind::Invalid);
  CHECK(r.error().message.rfind(message_prefix, 0) == 0);
}

}  // namespace

TEST_CASE("unreachable code is stack-polymorphic", "[validator]") {
  expect_valid("v_unreachable_add");
  expect_valid("v_unreachable_select");
  expect_valid("v_unreachable_br_table_types");
  expect_valid("v_ref_is_null_unreachable");
  expect_valid("v_return_unreachable");
  // A known operand of the wrong type is still an error after unreachable.
  expect_invalid("i_unreachable_i64_add", "type mismatch");
}

TEST_CASE("blocks with parameters and multiple results", "[validator]") {
  expect_valid("v_block_params");
  expect_valid("v_loop_params");
  expect_valid("v_if_params");
  expect_valid("v_multi_results");
  expect_invalid("i_block_missing_result", "type mismatch");
  expect_invalid("i_block_extra_value", "type mismatch");
  expect_invalid("i_func_extra_value", "type mismatch");
  expect_invalid("i_block_param_missing", "type mismatch");
  expect_invalid("i_if_without_else", "type mismatch");
  // A branch to a loop carries the loop's params (here none), not its results.
  expect_invalid("i_loop_label_is_params", "type mismatch");
  expect_invalid("i_return_type", "type mismatch");
}

TEST_CASE("br_table targets agree in arity and type", "[validator]") {
  expect_valid("v_br_table_multi");
  expect_invalid("i_br_table_arity", "type mismatch");
  expect_invalid("i_br_table_types", "type mismatch");
  expect_invalid("i_br_unknown_label", "unknown label");
}

TEST_CASE("select typing", "[validator]") {
  expect_valid("v_select_num");
  expect_valid("v_select_typed_ref");
  expect_invalid("i_select_untyped_ref", "type mismatch");
  expect_invalid("i_select_differ", "type mismatch");
  expect_invalid("i_select_unreachable_ref", "type mismatch");
}

TEST_CASE("ref.func needs a declaration outside function bodies", "[validator]") {
  expect_valid("v_ref_func_elem");
  expect_valid("v_ref_func_export");
  expect_valid("v_ref_func_global");
  expect_invalid("i_ref_func_undeclared", "undeclared function reference");
}

TEST_CASE("constant expressions", "[validator]") {
  expect_valid("v_const_imported_global");
  expect_valid("v_const_ref");
  expect_invalid("i_const_not_constant", "constant expression required");
  expect_invalid("i_const_defined_global", "unknown global");  // a later global
  expect_invalid("i_const_mutable_import", "constant expression required");
  expect_invalid("i_const_type", "type mismatch");
  expect_invalid("i_const_two_values", "type mismatch");
  expect_invalid("i_elem_item_type", "type mismatch");
}

TEST_CASE("module-level rules", "[validator]") {
  expect_valid("v_start");
  expect_invalid("i_duplicate_export", "duplicate export name");
  expect_invalid("i_start_type", "start function");
  // Two memories: valid in Wasm 3.0 (multi-memory), "multiple memories" by 2.0's rules.
  expect_valid("i_multiple_memories");
  {
    auto m = test::decode_fixture("i_multiple_memories");
    REQUIRE(m);
    Result<void> r = validate_module_level(*m, ValidateOptions{.wasm2 = true});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "multiple memories");
  }
  expect_invalid("i_memory_too_large", "memory size must be at most 65536 pages (4GiB)");
  expect_invalid("i_table_limits", "size minimum must not be greater than maximum");
}

TEST_CASE("variables, memories, tables, segments", "[validator]") {
  expect_valid("v_data_count");
  expect_valid("v_tables");
  expect_valid("v_call_indirect");
  expect_valid("v_memory_ops");
  expect_invalid("i_global_immutable", "global is immutable");
  expect_invalid("i_alignment", "alignment must not be larger than natural");
  expect_invalid("i_unknown_memory", "unknown memory");
  expect_invalid("i_call_indirect_externref", "type mismatch");
  expect_invalid("i_table_copy_types", "type mismatch");
  expect_invalid("i_unknown_local", "unknown local");
  expect_invalid("i_unknown_data", "unknown data segment");
  expect_invalid("i_unknown_elem", "unknown elem segment");
}
