(module (func (result i32) i32.const 1 (loop (param i32) (result i32) i32.const 0 br_if 0)))
