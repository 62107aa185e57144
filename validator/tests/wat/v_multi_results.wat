(module (type $t (func (result i32 i64))) (func (result i32 i64) (block (type $t) i32.const 1 i64.const 2)))
