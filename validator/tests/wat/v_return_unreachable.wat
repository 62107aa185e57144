(module (func (result i32) (block (result f32) unreachable) drop i32.const 0 return i32.add))
