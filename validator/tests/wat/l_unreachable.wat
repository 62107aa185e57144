(module (func (result i32) unreachable i32.add))
