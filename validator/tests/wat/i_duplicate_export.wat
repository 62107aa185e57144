(module (func (export "a")) (global (export "a") i32 (i32.const 0)))
