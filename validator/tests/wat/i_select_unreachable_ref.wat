(module (func unreachable ref.null func i32.const 1 select drop))
