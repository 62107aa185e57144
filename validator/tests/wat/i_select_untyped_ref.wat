(module (func (result funcref) ref.null func ref.null func i32.const 1 select))
