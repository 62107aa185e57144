(module (func (result i32) unreachable ref.is_null))
