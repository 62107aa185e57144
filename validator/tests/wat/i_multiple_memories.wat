(module (import "m" "m" (memory 1)) (memory 1))
