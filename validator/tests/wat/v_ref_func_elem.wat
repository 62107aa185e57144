(module (func $f) (elem declare func $f) (func (result funcref) ref.func $f))
