(module (func (result f64) f64.const 1 f64.const 2 i32.const 0 select))
