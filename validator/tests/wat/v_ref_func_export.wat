(module (func $f (export "f")) (func (result funcref) ref.func $f))
