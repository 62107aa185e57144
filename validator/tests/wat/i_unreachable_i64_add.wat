(module (func (result i32) unreachable i64.const 0 i32.add))
