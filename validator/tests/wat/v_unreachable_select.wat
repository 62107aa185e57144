(module (func (result i32) unreachable select))
