(module (type $t (func (param i32) (result i32))) (table 1 funcref) (func (result i32) i32.const 7 i32.const 0 call_indirect (type $t)))
