(module (func $f) (global funcref (ref.func $f)) (func (result funcref) ref.func $f))
