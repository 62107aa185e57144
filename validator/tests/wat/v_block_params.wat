(module (func (result i32) i32.const 1 i32.const 2 (block (param i32 i32) (result i32) i32.add)))
