(module (func (param i32) (result i32) i32.const 5 local.get 0 (if (param i32) (result i32) (then i32.const 1 i32.add) (else i32.const 2 i32.sub))))
