(module (func (param i32) (result i32 i64) (block (result i32 i64) (block (result i32 i64) i32.const 1 i64.const 2 local.get 0 br_table 0 1 0))))
