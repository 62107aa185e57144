(module (table 1 externref) (elem (table 0) (i32.const 0) externref (ref.null func)))
