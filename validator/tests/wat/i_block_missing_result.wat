(module (func (block (result i32))))
