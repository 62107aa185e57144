(module (func (param i32) (block (result i32) (block i32.const 1 local.get 0 br_table 0 1)) drop))
