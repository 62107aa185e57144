(module (func (param i32) (result f32) (block (result f32) (block (result i32) i32.const 1 local.get 0 br_table 0 1)) drop f32.const 0))
