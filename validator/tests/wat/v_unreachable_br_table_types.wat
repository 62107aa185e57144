(module (func (block (result i32) (block (result f32) unreachable br_table 0 1 0) drop i32.const 0) drop))
