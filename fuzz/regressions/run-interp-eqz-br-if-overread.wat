(module
  (func (export "f") (param i32)
    (block (br_if 0 (i32.eqz (local.get 0))))))
