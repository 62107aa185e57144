(module (table 2 funcref) (func $f) (elem (table 0) (i32.const 0) funcref (ref.func $f) (ref.null func)) (global externref (ref.null extern)))
