(module (func (param i32) (result i64)
  i64.const 1
  local.get 0
  i64.extend_i32_u
  i64.add
  (block (result i64) i64.const 2)
  i64.add))
