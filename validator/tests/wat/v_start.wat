(module (func $s) (start $s))
